import { createHmac } from 'node:crypto';
import { sameSecret } from './cookies';

/**
 * A signed-in product session, as the product hands it to this service: a cookie (on a domain both
 * share) holding `v1.<base64url account id>.<expiry, Unix seconds>.<base64url HMAC-SHA256>`, the
 * HMAC over everything before the last dot, keyed with PRODUCT_SESSION_SECRET. The product signs
 * it when its user is signed in (signProductSession shows how); nothing else is trusted.
 */
export const PRODUCT_SESSION_COOKIE = 'intercom_sync_session';

const mac = (secret: string, payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');

export function signProductSession(secret: string, accountId: string, expiresAtSec: number): string {
  const payload = `v1.${Buffer.from(accountId, 'utf8').toString('base64url')}.${Math.trunc(expiresAtSec)}`;
  return `${payload}.${mac(secret, payload)}`;
}

/** The account id of a valid, unexpired session; null for anything else. */
export function verifyProductSession(secret: string, value: string | null, nowSec = Date.now() / 1000): string | null {
  if (!value || value.length > 1024) return null;
  const m = /^(v1\.([A-Za-z0-9_-]{1,400})\.(\d{1,12}))\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!m) return null;
  const [, payload = '', account = '', exp = '', sig = ''] = m;
  if (!sameSecret(sig, mac(secret, payload))) return null;
  if (Number(exp) <= nowSec) return null;
  const accountId = Buffer.from(account, 'base64url').toString('utf8');
  return accountId.length > 0 ? accountId : null;
}
