// Plain-JSON shapes shared by workflows and their callers. Times are epoch milliseconds
// (numbers, never Date) and windows are Unix seconds, like Intercom's timestamps.

import type { ErrorClass, SyncStatus } from '../src/workspaceTypes';

// Status and error class are shared with the database schema (src/workspaceTypes.ts).
export { ERROR_CLASSES, SYNC_STATUSES, type ErrorClass, type SyncStatus } from '../src/workspaceTypes';

export interface JobStatus {
  lastSuccessAt: number | null;
  lastError: string | null;
  /** The class of lastError (absent in states recorded before classes existed). */
  errorClass?: ErrorClass | null;
  /** What the next run starts from: a watermark, a window, a poll time. */
  cursor: string | null;
  runs: number;
}

export interface BackfillProgress {
  /** Child workflow id, so progress from a superseded resync is ignored. */
  childId: string;
  fromSec: number;
  toSec: number;
  /** Everything newer than this has been synced (windows run newest first). */
  coveredDownToSec: number;
  percent: number;
  stored: number;
  requests: number;
  etaSeconds: number | null;
  done: boolean;
  /** The child stopped on a failure that needs new credentials (401/403, or no token stored). */
  authFailed: boolean;
  /** The parent's credentials epoch the child last heard of: an auth failure from an older epoch is stale. */
  epoch: number;
  lastError: string | null;
  /** The class of lastError (absent from older children). */
  errorClass?: ErrorClass | null;
}

export interface BackfillJobStatus extends JobStatus {
  childId: string | null;
  percent: number;
  conversationsStored: number;
  etaSeconds: number | null;
  done: boolean;
}

export interface WorkspaceStatusView {
  workspaceId: string;
  status: SyncStatus;
  /** The workspace's current problem in words (a job's error, or a note such as the token's deletion); null when none. */
  lastError?: string | null;
  /** Its class, as in the IntercomSyncError search attribute; null when none. */
  errorClass?: ErrorClass | null;
  jobs: {
    backfill: BackfillJobStatus;
    resync: BackfillJobStatus | null;
    default: JobStatus;
    agent_states: JobStatus;
    catalog: JobStatus;
    /** GET /conversations/deleted read by the default loop (absent on workflows from before it). */
    deletions?: JobStatus & {
      supported: boolean | null;
      seen: number;
      marked: number;
      requests: number;
      /** Where the list is unsupported: the weekly reconciliation's progress (coveredDownTo, passes, counts). */
      reconcile?: { passCursor: unknown; lastPassDoneAt: number | null; passes: number; coveredDownTo: string | null; checked: number; marked: number; pages: number; requests: number; budgetExhaustedAt: number | null };
    };
    /** The one-time refetch of rows an older mapping wrote, newest first (absent on workflows from before it). */
    upgrade?: JobStatus & { remaining: number | null; refetched: number; missing: number; failed: number; requests: number; done: boolean };
  };
}

export interface ResyncRequest {
  /** Unix seconds; default: five years before the connection. */
  fromSec?: number;
  /** Unix seconds; default: now. */
  toSec?: number;
}

export interface BackfillControl {
  run: boolean;
  /** Increases with every reauthorization. */
  epoch: number;
}

export interface Cadence {
  defaultMs: number;
  agentStatesMs: number;
  /** The agent-state poller is one long activity; it returns after this long and is restarted. */
  agentPollerRunMs: number;
  /** Deletion reconciliation (APIs without the deleted list): a pass at most this often (default a week). */
  reconcileEveryMs?: number;
  /** GET /conversations/deleted is read at the first default tick this long after the last read (default an hour). */
  deletionsEveryMs?: number;
  /**
   * The poller's heartbeat timeout (since the 'poller-rare-heartbeats' patch); it heartbeats every
   * half of it. A poller whose worker died is restarted sooner by the default loop's stale check.
   */
  agentPollerHeartbeatTimeoutMs?: number;
}

export interface BackfillTuning {
  years: number;
  /** First window: small, so the most recent days are usable within minutes. */
  initialWindowSec: number;
  /** Windows are resized to hold about this many conversations (10 search pages). */
  targetPerWindow: number;
  parallelism: number;
  /** The child continues as new after this many windows, keeping its history short. */
  windowsPerRun: number;
  heartbeatTimeoutMs: number;
  /** A window that failed (past its retries, or not retryable) starts again from its checkpoint after this long. */
  failedWindowRetryMs?: number;
}

/** Tighter retry bounds for the workspace workflow's activities (tests); the profiles' own apply otherwise. */
export interface RetryTuning {
  maximumAttempts: number;
  initialIntervalMs: number;
  maximumIntervalMs: number;
}

export interface Retention {
  /** A workspace in Needs reauthorization this long has its token deleted (default 30 days). */
  needsReauthTokenMs: number;
}
