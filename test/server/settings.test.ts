import { loadConfig } from '../../src/config';
import { parseTtl } from '../../src/cli/connectLink';
import { httpLimits, trustProxy } from '../../src/server/settings';
import { signProductSession, verifyProductSession } from '../../src/oauth/productSession';

describe('HTTP server settings', () => {
  it('reads limits and names a wrong value', () => {
    const c = loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '2000', HTTP_REQUEST_TIMEOUT_MS: '4000', HTTP_TRUST_PROXY: '2' });
    expect(httpLimits(c)).toMatchObject({ headersTimeoutMs: 2000, requestTimeoutMs: 4000 });
    expect(trustProxy(c)).toBe(2);
    expect(trustProxy(loadConfig({ HTTP_TRUST_PROXY: '10.0.0.0/8,127.0.0.1' }))).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(() => httpLimits(loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '9000', HTTP_REQUEST_TIMEOUT_MS: '4000' }))).toThrow(/HTTP_HEADERS_TIMEOUT_MS .* must not exceed HTTP_REQUEST_TIMEOUT_MS/);
    expect(() => loadConfig({ HTTP_TRUST_PROXY: 'everyone' })).toThrow(/HTTP_TRUST_PROXY/);
    expect(() => loadConfig({ PRODUCT_SESSION_SECRET: 'short' })).toThrow(/PRODUCT_SESSION_SECRET: must be at least 32 characters/);
  });

  it('connect-link --ttl takes 30m / 24h / 7d, up to 30 days', () => {
    expect(parseTtl(undefined)).toBe(86_400_000);
    expect(parseTtl('30m')).toBe(1_800_000);
    expect(parseTtl('7d')).toBe(7 * 86_400_000);
    expect(() => parseTtl('31d')).toThrow(/between 1m and 30d/);
    expect(() => parseTtl('1 hour')).toThrow(/not a duration/);
  });

  it('a product session is accepted only when signed with the secret and unexpired', () => {
    const secret = 'k'.repeat(32);
    const now = 1_800_000_000;
    const good = signProductSession(secret, 'account ü/1', now + 60);
    expect(verifyProductSession(secret, good, now)).toBe('account ü/1');
    expect(verifyProductSession(secret, good, now + 61)).toBeNull();
    expect(verifyProductSession('j'.repeat(32), good, now)).toBeNull();
    const [v, , exp, sig] = good.split('.');
    expect(verifyProductSession(secret, `${v}.${Buffer.from('other').toString('base64url')}.${exp}.${sig}`, now)).toBeNull();
    expect(verifyProductSession(secret, null, now)).toBeNull();
    expect(verifyProductSession(secret, '\u0000', now)).toBeNull();
  });
});
