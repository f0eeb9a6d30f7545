import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { FailureTypes } from '../activities/types';

type Activities = ReturnType<typeof createActivities>;

// One proxy per timeout profile. Auth failures are never retried blindly: the workflow waits
// for a reauthorization instead.
const nonRetryableErrorTypes = [FailureTypes.auth, FailureTypes.gone];

/** Quick database-only or single-request work. */
export const quick = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes },
});

/** The default loop: a few search pages and their details. */
export const incremental = proxyActivities<Activities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '2 minutes', nonRetryableErrorTypes },
});

/**
 * Backfill windows: long, heartbeating, resumable from their heartbeat checkpoint. Not eagerly
 * dispatched: eager dispatch would run every window on the worker that holds the child workflow,
 * while minutes-long windows are better spread over every worker polling the queue.
 */
export function windows(heartbeatTimeoutMs: number) {
  return proxyActivities<Activities>({
    startToCloseTimeout: '6 hours',
    allowEagerDispatch: false,
    heartbeatTimeout: heartbeatTimeoutMs,
    retry: { initialInterval: '2 seconds', maximumInterval: '5 minutes', nonRetryableErrorTypes },
  });
}

/** The agent-state poller: one activity polls every interval for `agentPollerRunMs`. */
export function poller(runMs: number, intervalMs: number) {
  return proxyActivities<Activities>({
    startToCloseTimeout: runMs + 5 * 60_000,
    heartbeatTimeout: Math.max(30_000, 3 * intervalMs),
    retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes },
  });
}
