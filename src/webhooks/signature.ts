import { createHmac, timingSafeEqual } from 'node:crypto';

const HEADER = /^sha1=([0-9a-f]{40})$/i;

/**
 * Intercom's webhook signature: `X-Hub-Signature: sha1=<hex>`, the HMAC-SHA1 of the raw body
 * with the app's client secret. Anything else (missing, another algorithm, wrong length) is false;
 * the digests are compared in constant time.
 */
export function verifySignature(rawBody: Buffer, header: string | string[] | undefined, clientSecret: string): boolean {
  if (typeof header !== 'string') return false;
  const m = HEADER.exec(header.trim());
  if (!m?.[1]) return false;
  const given = Buffer.from(m[1].toLowerCase(), 'hex');
  const expected = createHmac('sha1', clientSecret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}
