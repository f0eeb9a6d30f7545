import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Registered on the dev server at start (see devServer.ts), on any other server by the worker
// (registerSearchAttributes.ts), and set by the workflows, so an
// operator can filter runs in the Web UI, e.g. `IntercomWorkspaceId = "abc" AND IntercomSyncStatus = "Paused"`.
export const WORKSPACE_ID = defineSearchAttributeKey('IntercomWorkspaceId', SearchAttributeType.KEYWORD);
export const SYNC_STATUS = defineSearchAttributeKey('IntercomSyncStatus', SearchAttributeType.KEYWORD);
export const BACKFILL_PERCENT = defineSearchAttributeKey('IntercomBackfillPercent', SearchAttributeType.INT);

/** name → type as the `temporal` CLI spells it, for `--search-attribute`. */
export const SEARCH_ATTRIBUTE_FLAGS: Record<string, string> = {
  [WORKSPACE_ID.name]: 'Keyword',
  [SYNC_STATUS.name]: 'Keyword',
  [BACKFILL_PERCENT.name]: 'Int',
};
