import { apiBaseUrl, appBaseUrl, inWindow, regionFromMe, windowQuery } from '../../src/intercom/client';
import { IntercomError, isAuthError, isIntercomError } from '../../src/intercom/errors';
import { backoffDelayMs, classifyResponse, classifyThrown, deadlineExceeded, responseTooLarge, retryDelayMs, serverRetryAfterMs } from '../../src/intercom/retryPolicy';

const NOW = 1_700_000_000_000;
const body = (code: string, message = 'm'): string => JSON.stringify({ type: 'error.list', request_id: 'r1', errors: [{ code, message }] });

describe('retry policy', () => {
  it.each([
    [429, 'rate_limit_exceeded', 'rate_limited', true],
    [500, 'server_error', 'server_error', true],
    [502, '', 'server_error', true],
    [503, 'service_unavailable', 'server_error', true],
    [504, 'request_timeout', 'server_error', true],
    [408, 'request_timeout', 'timeout', true],
    [401, 'unauthorized', 'unauthorized', false],
    [401, 'token_revoked', 'unauthorized', false],
    [403, 'api_plan_restricted', 'forbidden', false],
    [404, 'not_found', 'not_found', false],
    [400, 'parameter_invalid', 'bad_request', false],
    [422, 'data_invalid', 'bad_request', false],
  ] as const)('HTTP %i %s ⇒ %s (retryable %s)', (status, code, expected, retryable) => {
    const err = classifyResponse('GET /x', status, {}, code ? body(code) : 'oops', NOW);
    expect(err.code).toBe(expected);
    expect(err.retryable).toBe(retryable);
    expect(err.status).toBe(status);
    expect(err.message.startsWith('GET /x: HTTP')).toBe(true);
  });

  it('bounds: a body over its cap is final, a deadline is transient (a timeout before any header)', () => {
    expect(responseTooLarge('GET /conversations/{id}', 100, 5000, true, 200)).toMatchObject({ code: 'response_too_large', retryable: false, status: 200 });
    expect(responseTooLarge('GET /x', 100, 101, false).message).toBe('GET /x: response too large: more than 100 bytes were sent, the cap is 100 bytes (refused without reading it whole)');
    expect(deadlineExceeded('GET /x', 6000, true)).toMatchObject({ code: 'deadline_exceeded', retryable: true });
    expect(deadlineExceeded('GET /x', 6000, false)).toMatchObject({ code: 'timeout', retryable: true });
  });

  it('auth error codes win even on an unexpected status', () => {
    expect(classifyResponse('GET /x', 400, {}, body('token_suspended'), NOW).code).toBe('unauthorized');
  });

  it('waits for X-RateLimit-Reset, then Retry-After, then backs off', () => {
    expect(serverRetryAfterMs({ 'x-ratelimit-reset': String(NOW / 1000 + 7) }, NOW)).toBe(7000);
    expect(serverRetryAfterMs({ 'retry-after': '3' }, NOW)).toBe(3000);
    expect(serverRetryAfterMs({ 'retry-after': new Date(NOW + 4000).toUTCString() }, NOW)).toBe(4000);
    expect(serverRetryAfterMs({ 'x-ratelimit-reset': String(NOW / 1000 - 1), 'retry-after': '2' }, NOW)).toBe(2000);
    expect(serverRetryAfterMs({}, NOW)).toBeUndefined();

    const limited = classifyResponse('GET /x', 429, { 'x-ratelimit-reset': String(NOW / 1000 + 5) }, body('rate_limit_exceeded'), NOW);
    expect(limited.retryAfterMs).toBe(5000);
    const d = retryDelayMs(limited, 0);
    expect(d).toBeGreaterThanOrEqual(5000);
    expect(d).toBeLessThanOrEqual(5050);
    const noHeader = classifyResponse('GET /x', 429, {}, '', NOW);
    expect(retryDelayMs(noHeader, 0, { baseDelayMs: 1000, maxDelayMs: 60_000 }, () => 1)).toBe(1000);
    // Non-retryable errors carry no wait.
    expect(classifyResponse('GET /x', 401, { 'retry-after': '5' }, '', NOW).retryAfterMs).toBeUndefined();
  });

  it('a 5xx backs off exponentially: X-RateLimit-Reset (on every response) is no reason to wait, Retry-After is', () => {
    const reset = { 'x-ratelimit-reset': String(NOW / 1000 + 3) };
    const unavailable = classifyResponse('GET /x', 503, reset, '', NOW);
    expect(unavailable.retryAfterMs).toBeUndefined();
    const opts = { baseDelayMs: 500, maxDelayMs: 60_000 };
    expect([0, 1, 2].map((a) => retryDelayMs(unavailable, a, opts, () => 1))).toEqual([500, 1000, 2000]);
    expect(classifyResponse('GET /x', 503, { ...reset, 'retry-after': '7' }, '', NOW).retryAfterMs).toBe(7000);
  });

  it('backoff grows exponentially with jitter and is capped', () => {
    const opts = { baseDelayMs: 500, maxDelayMs: 8000 };
    expect(backoffDelayMs(0, opts, () => 0)).toBe(250);
    expect(backoffDelayMs(0, opts, () => 1)).toBe(500);
    expect(backoffDelayMs(3, opts, () => 1)).toBe(4000);
    expect(backoffDelayMs(10, opts, () => 1)).toBe(8000);
    expect(backoffDelayMs(10, opts, () => 0)).toBe(4000);
  });

  it('classifies thrown errors', () => {
    const sock = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    expect(classifyThrown('GET /x', sock)).toMatchObject({ code: 'network_error', retryable: true });
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(classifyThrown('GET /x', new TypeError('fetch failed', { cause: reset }))).toMatchObject({ code: 'network_error', retryable: true });
    expect(classifyThrown('GET /x', Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' }))).toMatchObject({ code: 'timeout', retryable: true });
    expect(classifyThrown('GET /x', new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toMatchObject({ code: 'timeout', retryable: true });
    expect(classifyThrown('GET /x', new TypeError('x is not a function'))).toMatchObject({ retryable: false });
    // undici errors that mean a bug on our side are not transient.
    expect(classifyThrown('GET /x', Object.assign(new Error('invalid header'), { code: 'UND_ERR_INVALID_ARG' }))).toMatchObject({ code: 'network_error', retryable: false });
    expect(classifyThrown('GET /x', Object.assign(new Error('destroyed'), { code: 'UND_ERR_DESTROYED' }))).toMatchObject({ retryable: false });
  });

  it('redacts secrets from quoted server messages and error text', () => {
    const err = classifyResponse('GET /x', 401, {}, body('unauthorized', 'bad token tok-SECRET-123456'), NOW, ['tok-SECRET-123456']);
    expect(err.message).toContain('[redacted]');
    expect(err.message).not.toContain('tok-SECRET-123456');
    const thrown = classifyThrown('GET /x', Object.assign(new Error('boom tok-SECRET-123456'), { code: 'ECONNRESET' }), ['tok-SECRET-123456']);
    expect(JSON.stringify(thrown)).not.toContain('tok-SECRET-123456');
  });

  it('type guards', () => {
    const e = new IntercomError({ code: 'forbidden', endpoint: 'GET /x', problem: 'p', retryable: false });
    expect(isIntercomError(e)).toBe(true);
    expect(isAuthError(e)).toBe(true);
    expect(isAuthError(new Error('x'))).toBe(false);
    expect(isIntercomError({ code: 'forbidden' })).toBe(false);
    expect(e.name).toBe('IntercomError');
    expect(String(e)).toBe('IntercomError: GET /x: p');
  });
});

describe('regions and search windows', () => {
  it('maps regions to hosts', () => {
    expect(apiBaseUrl('us')).toBe('https://api.intercom.io');
    expect(apiBaseUrl('eu')).toBe('https://api.eu.intercom.io');
    expect(apiBaseUrl('au')).toBe('https://api.au.intercom.io');
    expect(apiBaseUrl('eu', 'http://localhost:9000/')).toBe('http://localhost:9000');
    expect(appBaseUrl('us')).toBe('https://app.intercom.com');
    expect(appBaseUrl('eu')).toBe('https://app.eu.intercom.com');
    expect(appBaseUrl('au')).toBe('https://app.au.intercom.com');
  });

  it.each([
    ['US', 'us'],
    ['Europe', 'eu'],
    ['eu', 'eu'],
    ['EU-West', 'eu'],
    ['Australia', 'au'],
    ['AU', 'au'],
    ['', 'us'],
    [null, 'us'],
    [undefined, 'us'],
    ['Mars', 'us'],
  ] as const)('regionFromMe(%p) = %s', (input, region) => {
    expect(regionFromMe(input)).toBe(region);
  });

  it('windowQuery covers [from, to) whether > and < are inclusive or strict; inWindow keeps exactly [from, to)', () => {
    expect(windowQuery('updated_at', 100, 200)).toEqual({
      operator: 'AND',
      value: [
        { field: 'updated_at', operator: '>', value: 99 },
        { field: 'updated_at', operator: '<', value: 200 },
      ],
    });
    const keep = inWindow('updated_at', 100, 200);
    expect([99, 100, 199, 200].map((t) => keep({ updated_at: t }))).toEqual([false, true, true, false]);
    expect(() => windowQuery('created_at', 5, 5)).toThrow(RangeError);
    expect(() => windowQuery('created_at', 1.5, 5)).toThrow(RangeError);
  });
});
