import { createHash, timingSafeEqual } from 'node:crypto';

/** Binds a flow to the browser that started it, so a callback from another browser is refused (login CSRF). */
export const STATE_COOKIE = 'intercom_sync_oauth_state';

export function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== name) continue;
    try {
      return decodeURIComponent(v.join('='));
    } catch {
      return null; // a malformed %-escape is no value, not a crash
    }
  }
  return null;
}

/** Constant time whatever the inputs' lengths: both sides are hashed to 32 bytes first. */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

export function stateCookie(state: string, maxAgeSec: number, secure: boolean): string {
  return `${STATE_COOKIE}=${encodeURIComponent(state)}; Path=/oauth; Max-Age=${maxAgeSec}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

export function clearedStateCookie(secure: boolean): string {
  return `${STATE_COOKIE}=; Path=/oauth; Max-Age=0; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}
