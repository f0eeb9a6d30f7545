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

/** ApplicationFailure types that workflows react to. */
export const FailureTypes = {
  auth: 'IntercomAuthError',
  contract: 'IntercomContractError',
  gone: 'WorkspaceDisconnected',
} as const;
