// Inputs and outputs of every activity: small plain-JSON values (ids, cursors, counts), never
// API payloads or tokens, because they are stored in workflow histories.

import type { ErrorClass, SyncStatus } from '../src/workspaceTypes';

/** What a conversation sync did, window or default loop alike. */
export interface SyncCounts {
  stored: number;
  ignored: number;
  skipped: number;
  missing: number;
  /** Passed over: the detail response kept breaking the contract (recorded in sync_errors). */
  failed: number;
  requests: number;
}

export interface WindowCheckpoint extends SyncCounts {
  /** `starting_after` of the search page to (re-)request next; null = first page. */
  startingAfter: string | null;
  pages: number;
}

/**
 * The checkpoint as it leaves a window activity: in the details of its ApplicationFailure (details[0])
 * and in its heartbeat. The detail is the WindowCheckpoint object itself, the shape every recorded
 * history holds, so workflow and activity code of either age read each other during a rolling deploy.
 */
export function checkpointDetails(checkpoint: WindowCheckpoint | null | undefined): [WindowCheckpoint] | [] {
  return checkpoint ? [checkpoint] : [];
}

const CHECKPOINT_COUNTS = ['pages', 'stored', 'ignored', 'skipped', 'missing', 'requests'] as const;

/**
 * A checkpoint read back from a failure detail or a heartbeat, checked field by field: anything
 * malformed reads as null (the window then resumes from the checkpoint it started with), never as
 * a half-valid cursor. Checkpoints written before `failed` existed read it as 0.
 */
export function readWindowCheckpoint(value: unknown): WindowCheckpoint | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if (v.startingAfter !== null && typeof v.startingAfter !== 'string') return null;
  const count = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  if (!CHECKPOINT_COUNTS.every((k) => count(v[k]))) return null;
  if (v.failed !== undefined && !count(v.failed)) return null;
  const n = (k: (typeof CHECKPOINT_COUNTS)[number]) => v[k] as number;
  return {
    startingAfter: v.startingAfter,
    pages: n('pages'),
    stored: n('stored'),
    ignored: n('ignored'),
    skipped: n('skipped'),
    missing: n('missing'),
    failed: (v.failed as number | undefined) ?? 0,
    requests: n('requests'),
  };
}

export interface SyncWindowInput {
  workspaceId: string;
  /** created_at window [fromSec, toSec), Unix seconds. */
  fromSec: number;
  toSec: number;
  /** Refetch details even for conversations already stored with the same updated_at (resync). */
  force: boolean;
  /** Where a previous attempt stopped (after a pause, a reauthorization or a continue-as-new). */
  resume: WindowCheckpoint | null;
}

export interface SyncWindowResult extends WindowCheckpoint {
  /** Matching conversations in the window according to the search (stored + ignored + skipped + missing). */
  totalCount: number;
}

export interface SyncUpdatedInput {
  workspaceId: string;
  /** updated_at watermark (Unix seconds) from the previous run. */
  sinceSec: number;
}

export interface SyncUpdatedResult extends SyncCounts {
  /** The new watermark: the highest updated_at seen, or sinceSec when nothing changed. */
  cursorSec: number;
  /** workspaces.agents_polled_at (epoch ms) when the run ended: the workflow's stale-poller check. */
  agentsPolledAt?: number | null;
}

export interface PollAgentStatesInput {
  workspaceId: string;
  intervalMs: number;
  /** The activity returns after this long so the workflow can check for continue-as-new. */
  maxDurationMs: number;
  /** Heartbeat only this often; liveness and stop are read from Postgres each tick (lease, gate). */
  heartbeatEveryMs?: number;
}

export interface PollAgentStatesResult {
  polls: number;
  changes: number;
  lastPollAt: number | null;
  /** Why the run ended before maxDurationMs (gate closed, lease taken over). */
  endedBy?: string;
  /** Agents added, changed or marked removed from the polled admin lists. */
  directoryChanges: number;
}

/** Where reading GET /conversations/deleted stands; plain JSON, kept by the caller between runs. */
export interface DeletedCursor {
  /** Every deletion at or before this (Unix seconds) has been applied; null = none read yet. */
  sinceSec: number | null;
  /** An unfinished scan: the next page to read, and the newest deleted_at the scan has seen. */
  scan: { page: number; topSec: number } | null;
}

export interface SyncDeletedInput {
  workspaceId: string;
  cursor: DeletedCursor | null;
  /** Pages to read in this run at most (default 20). */
  maxPages?: number;
}

export interface SyncDeletedResult {
  cursor: DeletedCursor;
  /** false: the workspace's API has no GET /conversations/deleted (reconcile instead); cursor unchanged. */
  supported: boolean;
  pages: number;
  /** Deletions read that are newer than the cursor. */
  seen: number;
  /** Stored tickets newly marked deleted. */
  marked: number;
  requests: number;
}

export interface CatalogResult {
  agents: number;
  teams: number;
  queues: number;
}

/**
 * ApplicationFailure types: the one classification of every activity failure (activities/failures.ts).
 * The workflow reads retryable-or-not from the failure and the error class from the type (workflows/failures.ts).
 */
export const FailureTypes = {
  /** 401/403: only a reauthorization helps. Not retryable. */
  auth: 'IntercomAuthError',
  /** A response that breaks the contract beyond the per-record quarantine. Not retryable. */
  contract: 'IntercomContractError',
  /** No stored token (disconnected, or the retention purge deleted it). Not retryable. */
  gone: 'WorkspaceDisconnected',
  /** Intercom refused the request (a 4xx other than 401/403/404/429). Not retryable. */
  rejected: 'IntercomRequestRejected',
  /** Network, 5xx, 429, 404, timeouts: retried with backoff up to the profile's bound. */
  unavailable: 'IntercomUnavailable',
  /** The database is unreachable or restarting: retried with backoff up to the profile's bound. */
  database: 'DatabaseUnavailable',
  /** The database refused a statement (a data or schema error): retrying cannot help. */
  databaseRejected: 'DatabaseError',
  /** The stored token cannot be decrypted with this process's key(s). Not retryable. */
  decryption: 'TokenDecryptionError',
  /** A configuration error. Not retryable. */
  config: 'ConfigError',
  /** Anything unexpected: retried up to the profile's bound, then shown. */
  internal: 'InternalError',
  /** A draining worker stopped a sync run between pages; retried elsewhere from the heartbeat. */
  workerShutdown: 'WorkerShutdown',
} as const;

export type FailureType = (typeof FailureTypes)[keyof typeof FailureTypes];

/** Failure types Temporal must never retry (also set as nonRetryable on each failure). */
export const NON_RETRYABLE_TYPES: readonly string[] = [
  FailureTypes.auth,
  FailureTypes.contract,
  FailureTypes.gone,
  FailureTypes.rejected,
  FailureTypes.databaseRejected,
  FailureTypes.decryption,
  FailureTypes.config,
];

export interface SetWorkspaceStatusInput {
  workspaceId: string;
  status: SyncStatus;
  /** The workflow's current error in words; null clears it; absent leaves the stored one (older workflows). */
  lastError?: string | null;
  errorClass?: ErrorClass | null;
  /** The backfill's progress, for the console's card (workflows patched with console-progress-mirror). */
  backfill?: { percent: number; stored: number; etaSeconds: number | null };
  /** The workflow's time of this write: an older one than the last applied changes nothing (absent: older workflows, unordered). */
  asOfMs?: number;
}
