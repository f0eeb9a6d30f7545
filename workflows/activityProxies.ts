import { ActivityCancellationType, proxyActivities, type ActivityOptions, type RetryPolicy } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { NON_RETRYABLE_TYPES } from '../activities/types';
import type { RetryTuning } from './types';

type Activities = ReturnType<typeof createActivities>;

// One proxy per timeout profile. Every failure arrives classified (activities/failures.ts): the
// non-retryable ones fail at once; the retryable ones (network, 5xx, 429, the database away) back
// off up to a bound chosen so that a database restart of a minute or two is survived, then fail
// and show in the status (the job runs again at its next turn). Never retried forever in silence.
const nonRetryableErrorTypes = [...NON_RETRYABLE_TYPES];

/** Quick database-only or single-request work: ~2.5 min of backoff (1+2+4+8+16+30×4 s) before it gives up. */
const QUICK: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes },
};

/** The default loop: a few search pages and their details; ~3 min of backoff, then the next tick tries again. */
const INCREMENTAL: ActivityOptions = {
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8, nonRetryableErrorTypes },
};

/**
 * Postgres-only statements the main loop waits for (status mirror, gate, token deletion). A short
 * attempt: a worker that dies holding one would otherwise hold the whole loop (and so the restart
 * of the agent-state poller) for QUICK's two minutes. A slow database just costs another attempt:
 * every statement is idempotent.
 */
const DATABASE: ActivityOptions = { ...QUICK, startToCloseTimeout: '15 seconds' };

export const quick = proxyActivities<Activities>(QUICK);
export const incremental = proxyActivities<Activities>(INCREMENTAL);
export const database = proxyActivities<Activities>(DATABASE);

/** A test's tighter bounds (RetryTuning) over a profile's. */
function tuned(options: ActivityOptions, t?: Partial<RetryTuning>): ActivityOptions {
  if (!t) return options;
  const retry: RetryPolicy = { ...options.retry };
  if (t.maximumAttempts !== undefined) retry.maximumAttempts = t.maximumAttempts;
  if (t.initialIntervalMs !== undefined) retry.initialInterval = t.initialIntervalMs;
  if (t.maximumIntervalMs !== undefined) retry.maximumInterval = t.maximumIntervalMs;
  return { ...options, retry };
}

/** The workspace workflow's proxies; `t` (tests) tightens the retry bounds. */
export function workspaceProxies(t?: Partial<RetryTuning>) {
  return t
    ? { quick: proxyActivities<Activities>(tuned(QUICK, t)), incremental: proxyActivities<Activities>(tuned(INCREMENTAL, t)), database: proxyActivities<Activities>(tuned(DATABASE, t)) }
    : { quick, incremental, database };
}

/**
 * Backfill windows: long, heartbeating, resumable from their heartbeat checkpoint; ~5 min of
 * backoff, then the backfill records the error and starts the window again later from its
 * checkpoint. Not eagerly dispatched: eager dispatch would run every window on the worker that
 * holds the child workflow, while minutes-long windows are better spread over every worker.
 */
export function windows(heartbeatTimeoutMs: number) {
  return proxyActivities<Activities>({
    startToCloseTimeout: '6 hours',
    allowEagerDispatch: false,
    heartbeatTimeout: heartbeatTimeoutMs,
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes },
  });
}

/** The agent-state poller: one activity polls every interval for `agentPollerRunMs`; restarted at the next default tick after a failure. */
export function poller(runMs: number, intervalMs: number, t?: Partial<RetryTuning>) {
  return proxyActivities<Activities>(
    tuned(
      {
        startToCloseTimeout: runMs + 5 * 60_000,
        heartbeatTimeout: Math.max(30_000, 3 * intervalMs),
        retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes },
      },
      t,
    ),
  );
}

/**
 * The agent-state poller since 'poller-rare-heartbeats': it heartbeats every half of
 * `heartbeatTimeoutMs` only, and stops by itself at a closed gate or a lost lease (Postgres, read
 * each tick), so a cancellation is not waited for (TRY_CANCEL): pause returns at once.
 */
export function rarePoller(runMs: number, heartbeatTimeoutMs: number, t?: Partial<RetryTuning>) {
  return proxyActivities<Activities>(
    tuned(
      {
        startToCloseTimeout: runMs + 5 * 60_000,
        heartbeatTimeout: heartbeatTimeoutMs,
        cancellationType: ActivityCancellationType.TRY_CANCEL,
        retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes },
      },
      t,
    ),
  );
}
