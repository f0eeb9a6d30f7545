import { ActivityFailure, ApplicationFailure, isCancellation } from '@temporalio/workflow';
import { FailureTypes, type WindowCheckpoint } from '../activities/types';

/** An auth failure (401/403) or no stored token: only a reauthorization helps. */
export function needsCredentials(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && (err.cause.type === FailureTypes.auth || err.cause.type === FailureTypes.gone);
}

/** The checkpoint a window activity attached to its failure, so the window resumes where it stopped. */
export function checkpointOf(err: unknown): WindowCheckpoint | null {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
    const detail = err.cause.details?.[0];
    if (detail && typeof detail === 'object' && 'startingAfter' in detail) return detail as WindowCheckpoint;
  }
  return null;
}

/** A short, token-free description for the status query. */
export function describe(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return `${err.cause.name}: ${err.cause.message}`;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

export { isCancellation };
