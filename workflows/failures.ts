import { ActivityFailure, ApplicationFailure, isCancellation, TimeoutFailure } from '@temporalio/workflow';
import { FailureTypes, readWindowCheckpoint, type WindowCheckpoint } from '../activities/types';
import type { ErrorClass } from './types';

/** An auth failure (401/403) or no stored token: only a reauthorization helps. */
export function needsCredentials(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && (err.cause.type === FailureTypes.auth || err.cause.type === FailureTypes.gone);
}

/**
 * The checkpoint a window activity attached to its failure (activities/types.ts checkpointDetails),
 * so the window resumes where it stopped; null when there is none or it is malformed.
 */
export function checkpointOf(err: unknown): WindowCheckpoint | null {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return readWindowCheckpoint(err.cause.details?.[0]);
  return null;
}

/** The failure type → class the operator filters on (IntercomSyncError). Older types (error codes) map too. */
const CLASS_OF_TYPE: Record<string, ErrorClass> = {
  [FailureTypes.auth]: 'auth',
  [FailureTypes.gone]: 'auth',
  [FailureTypes.contract]: 'contract',
  [FailureTypes.rejected]: 'intercom_4xx',
  bad_request: 'intercom_4xx',
  [FailureTypes.unavailable]: 'intercom_unavailable',
  rate_limited: 'intercom_unavailable',
  server_error: 'intercom_unavailable',
  network_error: 'intercom_unavailable',
  timeout: 'intercom_unavailable',
  not_found: 'intercom_unavailable',
  [FailureTypes.database]: 'database',
  [FailureTypes.databaseRejected]: 'database',
  [FailureTypes.decryption]: 'decryption',
  [FailureTypes.config]: 'config',
};

export function classOf(err: unknown): ErrorClass {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof TimeoutFailure) return 'timeout';
  if (cause instanceof ApplicationFailure) return CLASS_OF_TYPE[cause.type ?? ''] ?? 'internal';
  return 'internal';
}

/** A short, token-free description for the status query. */
export function describe(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) {
    const retried = err.retryState === 'MAXIMUM_ATTEMPTS_REACHED' ? ' (gave up after its retries; runs again at its next turn)' : '';
    const name = err.cause instanceof ApplicationFailure && err.cause.type ? err.cause.type : err.cause.name;
    return `${name}: ${err.cause.message}${retried}`;
  }
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

export { isCancellation };
