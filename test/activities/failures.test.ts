import { ActivityFailure, ApplicationFailure, CancelledFailure, RetryState } from '@temporalio/common';
import { checkpointCarriedBy, classify, databaseFailure, toActivityFailure, withCheckpoint } from '../../activities/failures';
import { FailureTypes, readWindowCheckpoint, type WindowCheckpoint } from '../../activities/types';
import { checkpointOf } from '../../workflows/failures';
import { ConfigError } from '../../src/config';
import { TokenDecryptionError } from '../../src/crypto/tokenCipher';
import { IntercomError, type IntercomErrorCode } from '../../src/intercom/errors';

const intercom = (code: IntercomErrorCode, status?: number, retryable = true) =>
  new IntercomError({ code, endpoint: 'GET /tags', problem: `HTTP ${status ?? '-'} ${code}`, retryable, ...(status ? { status } : {}) });
const pg = (code: string, message = 'pg error') => Object.assign(new Error(message), { code });
const CHECKPOINT: WindowCheckpoint = { startingAfter: 'abc', pages: 3, stored: 40, ignored: 2, skipped: 5, missing: 1, failed: 1, requests: 48 };
/** The failure as the workflow receives it: the activity's ApplicationFailure inside an ActivityFailure. */
const asWorkflowSeesIt = (cause: unknown) => new ActivityFailure('activity failed', 'syncConversationWindow', '1', RetryState.NON_RETRYABLE_FAILURE, 'worker', cause as Error);

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
    const failure = toActivityFailure(err, CHECKPOINT) as ApplicationFailure;
    expect(failure.nextRetryDelay).toBe(4_000);
    expect(failure.details).toEqual([CHECKPOINT]);
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

describe('the window checkpoint as a failure detail', () => {
  it('travels from the activity to the workflow intact', () => {
    const thrown = withCheckpoint(intercom('unauthorized', 401, false), CHECKPOINT);
    expect(checkpointCarriedBy(thrown)).toEqual(CHECKPOINT);
    expect(checkpointOf(asWorkflowSeesIt(toActivityFailure(thrown, checkpointCarriedBy(thrown))))).toEqual(CHECKPOINT);
  });

  it('reads a checkpoint recorded before `failed` existed, with failed 0', () => {
    const { failed: _failed, ...older } = CHECKPOINT;
    const failure = ApplicationFailure.create({ type: FailureTypes.auth, message: '401', nonRetryable: true, details: [older] });
    expect(checkpointOf(asWorkflowSeesIt(failure))).toEqual({ ...CHECKPOINT, failed: 0 });
  });

  it.each([
    ['no detail', undefined],
    ['a string', 'abc'],
    ['an array', [CHECKPOINT]],
    ['a cursor of the wrong type', { ...CHECKPOINT, startingAfter: 42 }],
    ['a missing count', { ...CHECKPOINT, pages: undefined }],
    ['a negative count', { ...CHECKPOINT, stored: -1 }],
    ['a fractional count', { ...CHECKPOINT, requests: 1.5 }],
    ['a malformed failed count', { ...CHECKPOINT, failed: 'x' }],
  ])('reads %s as no checkpoint instead of crashing', (_name, detail) => {
    const failure = ApplicationFailure.create({ type: FailureTypes.unavailable, message: 'x', details: detail === undefined ? [] : [detail] });
    expect(checkpointOf(asWorkflowSeesIt(failure))).toBeNull();
    expect(readWindowCheckpoint(detail)).toBeNull();
  });

  it('keeps only the checkpoint fields (a detail carries nothing else into the next input)', () => {
    expect(readWindowCheckpoint({ ...CHECKPOINT, body: 'payload' })).toEqual(CHECKPOINT);
  });

  it('attaches no detail without a checkpoint, and none to a thrown primitive', () => {
    expect((toActivityFailure(intercom('unauthorized', 401, false), null) as ApplicationFailure).details).toEqual([]);
    expect(checkpointCarriedBy(withCheckpoint('boom', CHECKPOINT))).toBeUndefined();
  });
});
