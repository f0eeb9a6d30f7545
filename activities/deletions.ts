import { Context } from '@temporalio/activity';
import { isIntercomError } from '../src/intercom/errors';
import { MAX_DELETED_PAGE_SIZE } from '../src/intercom/client';
import { markTicketsDeleted } from '../src/repositories/tickets';
import type { ActivityDeps } from './deps';
import { withWorkspaceClient } from './credentials';
import { toActivityFailure } from './failures';
import type { DeletedCursor, SyncDeletedInput, SyncDeletedResult } from './types';

/** Pages read per run at most; an unfinished scan continues from its cursor in the next run. */
export const DELETED_PAGES_PER_RUN = 20;

export const emptyDeletedCursor = (): DeletedCursor => ({ sinceSec: null, scan: null });

export function createDeletionActivities(deps: ActivityDeps) {
  return {
    /**
     * Reads GET /conversations/deleted (newest deletion first) from a cursor of its own and marks
     * the stored tickets it names `deleted_at`. A scan stops at the first deletion older than the
     * cursor's `sinceSec` (everything before was applied by an earlier scan), so a steady-state run
     * costs one request. New deletions arriving during a scan push entries to later pages: a page
     * read twice is harmless (marking is idempotent), none is skipped. When a run reaches its page
     * limit the cursor holds the unfinished scan (`scan.page`) and the next run continues it.
     *
     * A workspace whose API lacks the endpoint (400 intercom_version_invalid, or 404) gives
     * `supported: false` and the cursor unchanged: the caller falls back to reconciliation.
     */
    async syncDeletedConversations(input: SyncDeletedInput): Promise<SyncDeletedResult> {
      const ctx = Context.current();
      const start = input.cursor ?? emptyDeletedCursor();
      const maxPages = Math.max(1, input.maxPages ?? DELETED_PAGES_PER_RUN);
      const result: SyncDeletedResult = { cursor: start, supported: true, pages: 0, seen: 0, marked: 0, requests: 0 };
      try {
        return await withWorkspaceClient(deps, input.workspaceId, async (client) => {
          const sentBefore = client.requestsSent;
          const since = start.sinceSec;
          let page = start.scan?.page ?? 1;
          let top = start.scan?.topSec ?? null;
          const finish = (cursor: DeletedCursor): SyncDeletedResult => ({ ...result, cursor, requests: client.requestsSent - sentBefore });
          for (;;) {
            if (result.pages >= maxPages) return finish({ sinceSec: since, scan: { page, topSec: top ?? since ?? 0 } });
            let list;
            try {
              list = await client.listDeletedConversations({ page, perPage: MAX_DELETED_PAGE_SIZE, order: 'desc' });
            } catch (err) {
              if (isIntercomError(err) && (err.code === 'bad_request' || err.code === 'not_found')) {
                return { ...finish(start), supported: false };
              }
              throw err;
            }
            result.pages += 1;
            const items = list.conversations;
            for (const item of items) if (top === null || item.deleted_at > top) top = item.deleted_at;
            const fresh = items.filter((i) => since === null || i.deleted_at >= since);
            result.seen += fresh.length;
            const marked = await markTicketsDeleted(deps.db, input.workspaceId, fresh.map((i) => ({ conversationId: i.id, deletedAt: new Date(i.deleted_at * 1000) })));
            result.marked += marked.length;
            ctx.heartbeat({ page, marked: result.marked });
            const reachedOld = since !== null && items.some((i) => i.deleted_at < since);
            const totalPages = list.pages?.total_pages;
            const more = items.length > 0 && (list.pages?.next ? true : typeof totalPages === 'number' ? page < totalPages : items.length >= MAX_DELETED_PAGE_SIZE);
            if (reachedOld || !more) return finish({ sinceSec: top ?? since, scan: null });
            page += 1;
          }
        });
      } catch (err) {
        throw toActivityFailure(err);
      }
    },
  };
}
