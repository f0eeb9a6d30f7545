// Inputs and outputs of every activity: small plain-JSON values (ids, cursors, counts), never
// API payloads or tokens, because they are stored in workflow histories.

export interface WindowCheckpoint {
  /** `starting_after` of the search page to (re-)request next; null = first page. */
  startingAfter: string | null;
  pages: number;
  stored: number;
  ignored: number;
  skipped: number;
  missing: number;
  /** Passed over: the detail response kept breaking the contract (recorded in sync_errors). */
  failed: number;
  requests: number;
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

export interface SyncUpdatedResult {
  /** The new watermark: the highest updated_at seen, or sinceSec when nothing changed. */
  cursorSec: number;
  stored: number;
  ignored: number;
  skipped: number;
  missing: number;
  failed: number;
  requests: number;
}

export interface PollAgentStatesInput {
  workspaceId: string;
  intervalMs: number;
  /** The activity returns after this long so the workflow can check for continue-as-new. */
  maxDurationMs: number;
}

export interface PollAgentStatesResult {
  polls: number;
  changes: number;
  lastPollAt: number | null;
}

export interface CatalogResult {
  agents: number;
  teams: number;
  queues: number;
}

/** ApplicationFailure types that workflows react to. */
export const FailureTypes = {
  auth: 'IntercomAuthError',
  contract: 'IntercomContractError',
  gone: 'WorkspaceDisconnected',
  /** A draining worker stopped a sync run between pages; retried elsewhere from the heartbeat. */
  workerShutdown: 'WorkerShutdown',
} as const;
