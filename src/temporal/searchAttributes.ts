import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Registered on the dev server at start (see devServer.ts), on any other server by the worker
// (registerSearchAttributes.ts), by the tests' and the benchmarks' dev servers (ALL_SEARCH_ATTRIBUTES),
// and set by the workflows, so an operator can filter runs in the Web UI, e.g.
// `IntercomWorkspaceId = "abc" AND IntercomSyncStatus = "Paused"` or `IntercomSyncError = "auth"`.
export const WORKSPACE_ID = defineSearchAttributeKey('IntercomWorkspaceId', SearchAttributeType.KEYWORD);
export const SYNC_STATUS = defineSearchAttributeKey('IntercomSyncStatus', SearchAttributeType.KEYWORD);
export const BACKFILL_PERCENT = defineSearchAttributeKey('IntercomBackfillPercent', SearchAttributeType.INT);
/** The class of the workspace's current error (auth, contract, intercom_4xx, database, decryption, …), '' when none. */
export const SYNC_ERROR = defineSearchAttributeKey('IntercomSyncError', SearchAttributeType.KEYWORD);

export const ALL_SEARCH_ATTRIBUTES = [WORKSPACE_ID, SYNC_STATUS, BACKFILL_PERCENT, SYNC_ERROR];

/** name → type as the `temporal` CLI spells it, for `--search-attribute`. */
export const SEARCH_ATTRIBUTE_FLAGS: Record<string, string> = {
  [WORKSPACE_ID.name]: 'Keyword',
  [SYNC_STATUS.name]: 'Keyword',
  [BACKFILL_PERCENT.name]: 'Int',
  [SYNC_ERROR.name]: 'Keyword',
};
