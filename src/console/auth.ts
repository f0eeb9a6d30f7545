import { createHash, createHmac, randomBytes, scrypt as scryptCb, type BinaryLike, type ScryptOptions } from 'node:crypto';
import { sameSecret } from '../oauth/cookies';

export const CONSOLE_COOKIE = 'intercom_sync_console';
const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const scrypt = (pw: BinaryLike, salt: BinaryLike, len: number, o: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(pw, salt, len, o, (err, key) => (err ? reject(err) : resolve(key))));

/** `scrypt$<salt>$<hash>` (base64), what CONSOLE_PASSWORD_HASH holds. */
export async function hashConsolePassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, 32, SCRYPT);
  return `scrypt$${salt.toString('base64')}$${key.toString('base64')}`;
}

export interface ConsoleCredential {
  passwordHash?: string;
  token?: string;
}

export async function checkCredential(c: ConsoleCredential, given: string): Promise<boolean> {
  if (given.length === 0 || given.length > 1024) return false;
  if (c.token !== undefined && sameSecret(given, c.token)) return true;
  if (c.passwordHash !== undefined) {
    const [, salt = '', hash = ''] = c.passwordHash.split('$');
    const expected = Buffer.from(hash, 'base64');
    const key = await scrypt(given, Buffer.from(salt, 'base64'), expected.length, SCRYPT);
    return sameSecret(key.toString('base64'), expected.toString('base64'));
  }
  return false;
}

/** Every server process derives the same key from the same configuration. */
export function sessionKey(c: ConsoleCredential & { sessionSecret?: string }): string {
  return c.sessionSecret ?? createHash('sha256').update(`intercom-sync console session\0${c.passwordHash ?? ''}\0${c.token ?? ''}`).digest('base64url');
}

/** An operator sees everything; a customer's admin who completed OAuth sees one workspace's card. */
export type Viewer = { kind: 'operator' } | { kind: 'admin'; workspaceId: string };

const mac = (key: string, payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

export function signSession(key: string, viewer: Viewer, ttlSec: number, nowSec = Date.now() / 1000): string {
  const scope = viewer.kind === 'operator' ? 'op' : `ws:${viewer.workspaceId}`;
  const payload = `v1.${Buffer.from(scope).toString('base64url')}.${Math.trunc(nowSec + ttlSec)}.${randomBytes(9).toString('base64url')}`;
  return `${payload}.${mac(key, payload)}`;
}

export function verifySession(key: string, value: string | null, nowSec = Date.now() / 1000): Viewer | null {
  if (!value || value.length > 1024) return null;
  const m = /^(v1\.([A-Za-z0-9_-]{1,400})\.(\d{1,12})\.[A-Za-z0-9_-]{12})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!m) return null;
  const [, payload = '', scope64 = '', exp = '', sig = ''] = m;
  if (!sameSecret(sig, mac(key, payload)) || Number(exp) <= nowSec) return null;
  const scope = Buffer.from(scope64, 'base64url').toString('utf8');
  if (scope === 'op') return { kind: 'operator' };
  if (scope.startsWith('ws:') && scope.length > 3) return { kind: 'admin', workspaceId: scope.slice(3) };
  return null;
}

/** Bound to the session cookie: a token from another session, or none, is refused. */
export function csrfToken(key: string, session: string): string {
  return mac(key, `csrf\0${session}`);
}

export function sessionCookie(value: string, maxAgeSec: number, secure: boolean): string {
  return `${CONSOLE_COOKIE}=${value}; Path=/; Max-Age=${maxAgeSec}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${CONSOLE_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/**
 * Failed sign-ins per client address: each failure doubles the wait before the next answer (up to
 * 8 s), for that address and, more gently, for everyone, so guessing stays slow from many addresses.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; at: number }>();
  private global = 0;

  delayMs(ip: string, now = Date.now()): number {
    const f = this.failures.get(ip);
    const mine = f && now - f.at < 15 * 60_000 ? Math.min(8_000, 250 * 2 ** (f.count - 1)) : 0;
    return Math.max(mine, Math.min(1_000, this.global * 50));
  }

  failed(ip: string, now = Date.now()): void {
    const f = this.failures.get(ip);
    this.failures.set(ip, { count: f && now - f.at < 15 * 60_000 ? f.count + 1 : 1, at: now });
    this.global = Math.min(this.global + 1, 20);
    if (this.failures.size > 10_000) this.failures.clear();
  }

  succeeded(ip: string): void {
    this.failures.delete(ip);
    this.global = Math.max(0, this.global - 1);
  }
}
