import { ApplicationFailure } from '@temporalio/activity';
import { isAuthError, isIntercomError } from '../src/intercom/errors';
import { FailureTypes } from './types';

/**
 * Turns a failure into what Temporal should do with it. Auth failures are final (the workflow
 * waits for a reauthorization) and carry the checkpoint so the work resumes where it stopped;
 * everything else is retried by Temporal, honouring the rate-limit reset when known.
 */
export function toActivityFailure(err: unknown, checkpoint?: unknown): unknown {
  if (!isIntercomError(err)) return err;
  const details = checkpoint === undefined ? [] : [checkpoint];
  if (isAuthError(err)) {
    return ApplicationFailure.create({ type: FailureTypes.auth, message: err.message, nonRetryable: true, details });
  }
  return ApplicationFailure.create({
    type: err.code === 'contract_violation' ? FailureTypes.contract : err.code,
    message: err.message,
    nonRetryable: false,
    details,
    nextRetryDelay: err.retryAfterMs,
  });
}
