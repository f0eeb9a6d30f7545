import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { classify, databaseFailure, toActivityFailure } from '../../activities/failures';
import { FailureTypes } from '../../activities/types';
import { ConfigError } from '../../src/config';
import { TokenDecryptionError } from '../../src/crypto/tokenCipher';
import { IntercomError, type IntercomErrorCode } from '../../src/intercom/errors';

const intercom = (code: IntercomErrorCode, status?: number, retryable = true) =>
  new IntercomError({ code, endpoint: 'GET /tags', problem: `HTTP ${status ?? '-'} ${code}`, retryable, ...(status ? { status } : {}) });
const pg = (code: string, message = 'pg error') => Object.assign(new Error(message), { code });

describe('one classification of every activity failure', () => {
  it.each([
    ['401', intercom('unauthorized', 401, false), FailureTypes.auth, false],
    ['403', intercom('forbidden', 403, false), FailureTypes.auth, false],
    ['400', intercom('bad_request', 400, false), FailureTypes.rejected, false],
    ['contract', intercom('contract_violation', 200, false), FailureTypes.contract, false],
    ['over the size cap', intercom('response_too_large', 200, false), FailureTypes.contract, false],
    ['deadline', intercom('deadline_exceeded', 200), FailureTypes.unavailable, true],
    ['429', intercom('rate_limited', 429), FailureTypes.unavailable, true],
    ['5xx', intercom('server_error', 503), FailureTypes.unavailable, true],
    ['timeout', intercom('timeout'), FailureTypes.unavailable, true],
    ['network', intercom('network_error'), FailureTypes.unavailable, true],
    ['404', intercom('not_found', 404, false), FailureTypes.unavailable, true],
    ['a request bug', intercom('network_error', undefined, false), FailureTypes.internal, false],
    ['wrong key', new TokenDecryptionError('stored token cannot be decrypted with key abc'), FailureTypes.decryption, false],
    ['wrong key, matched by name', Object.assign(new Error('x'), { name: 'TokenDecryptionError' }), FailureTypes.decryption, false],
    ['config', new ConfigError('invalid configuration'), FailureTypes.config, false],
    ['admin shutdown', pg('57P01', 'terminating connection due to administrator command'), FailureTypes.database, true],
    ['connection failure', pg('08006'), FailureTypes.database, true],
    ['too many clients', pg('53300'), FailureTypes.database, true],
    ['refused', pg('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'), FailureTypes.database, true],
    ['terminated', new Error('Connection terminated unexpectedly'), FailureTypes.database, true],
    ['pool checkout', new Error('timeout exceeded when trying to connect'), FailureTypes.database, true],
    ['bad byte', pg('22021', 'invalid byte sequence for encoding "UTF8": 0x00'), FailureTypes.databaseRejected, false],
    ['a bug', new TypeError('x is undefined'), FailureTypes.internal, true],
  ])('%s', (_, err, type, retryable) => {
    const c = classify(err);
    expect([c.type, c.retryable]).toEqual([type, retryable]);
    const failure = toActivityFailure(err) as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(!retryable);
  });

  it('keeps the server-given retry delay and the checkpoint', () => {
    const err = new IntercomError({ code: 'rate_limited', endpoint: 'GET /admins', problem: 'HTTP 429', retryable: true, status: 429, retryAfterMs: 4_000 });
    const failure = toActivityFailure(err, { startingAfter: 'abc' }) as ApplicationFailure;
    expect(failure.nextRetryDelay).toBe(4_000);
    expect(failure.details).toEqual([{ startingAfter: 'abc' }]);
  });

  it('passes cancellations and failures already classified through', () => {
    const cancelled = new CancelledFailure('cancelled');
    expect(toActivityFailure(cancelled)).toBe(cancelled);
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(toActivityFailure(abort)).toBe(abort);
    const gone = ApplicationFailure.create({ type: FailureTypes.gone, message: 'no token', nonRetryable: true });
    expect(toActivityFailure(gone)).toBe(gone);
  });

  it('finds a database error in a cause chain, and not in an Intercom error', () => {
    expect(databaseFailure(new Error('wrapped', { cause: pg('57P03') }))).toBe('unavailable');
    expect(databaseFailure(intercom('server_error', 500))).toBeNull();
  });
});
