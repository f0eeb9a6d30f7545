import { Context } from '@temporalio/activity';
import { inWindow, windowQuery } from '../src/intercom/client';
import type { ActivityDeps } from './deps';
import { withWorkspaceClient } from './credentials';
import { checkpointCarriedBy, toActivityFailure } from './failures';
import { syncSearch } from './searchSync';
import { clearWake } from '../src/repositories/wakes';
import { readWindowCheckpoint, type SyncUpdatedInput, type SyncUpdatedResult, type SyncWindowInput, type SyncWindowResult, type WindowCheckpoint } from './types';
import { recordDefaultRun } from '../src/repositories/workspaces';

function heartbeatCheckpoint(): WindowCheckpoint | null {
  return readWindowCheckpoint(Context.current().info.heartbeatDetails);
}

/** How far behind its watermark the default loop searches again. */
export const DEFAULT_LOOKBACK_SEC = 300;

/** The counts of a run, and nothing else: results land in workflow histories. */
const counts = (r: WindowCheckpoint) => ({ stored: r.stored, ignored: r.ignored, skipped: r.skipped, missing: r.missing, failed: r.failed, requests: r.requests });

export function createConversationActivities(deps: ActivityDeps) {
  return {
    /** One backfill window: resumes from the last heartbeat (a retry) or the given checkpoint. */
    async syncConversationWindow(input: SyncWindowInput): Promise<SyncWindowResult> {
      let resume = heartbeatCheckpoint() ?? input.resume;
      try {
        const r = await withWorkspaceClient(deps, input.workspaceId, async (client) => {
          try {
            return await syncSearch({
              db: deps.db,
              client,
              workspaceId: input.workspaceId,
              query: windowQuery('created_at', input.fromSec, input.toSec),
              keep: inWindow('created_at', input.fromSec, input.toSec),
              force: input.force,
              resume,
              detailConcurrency: deps.detailConcurrency,
              flushRows: deps.flushRows,
              metrics: deps.metrics,
              draining: deps.draining,
            });
          } catch (err) {
            resume = checkpointCarriedBy(err) ?? resume;
            throw err;
          }
        });
        deps.metrics?.backfillProcessed(input.workspaceId, r.stored + r.ignored + r.skipped + r.missing + r.failed);
        return { startingAfter: r.startingAfter, pages: r.pages, ...counts(r), totalCount: r.totalCount };
      } catch (err) {
        throw toActivityFailure(err, checkpointCarriedBy(err) ?? resume);
      }
    },

    /** How many conversations a created_at window holds (one search request), for progress and ETA. */
    async countConversations(input: { workspaceId: string; fromSec: number; toSec: number }): Promise<number> {
      try {
        return await withWorkspaceClient(deps, input.workspaceId, async (client) => {
          const page = await client.search({ query: windowQuery('created_at', input.fromSec, input.toSec), pagination: { per_page: 1 } });
          deps.metrics?.backfillCounted(input.workspaceId, page.total_count);
          return page.total_count;
        });
      } catch (err) {
        throw toActivityFailure(err);
      }
    },

    /** The default loop: everything updated since the watermark. */
    async syncUpdatedConversations(input: SyncUpdatedInput): Promise<SyncUpdatedResult> {
      try {
        // Webhooks arriving from now on ask for another run (src/repositories/wakes.ts).
        await clearWake(deps.db, input.workspaceId);
        const r = await withWorkspaceClient(deps, input.workspaceId, (client) =>
          syncSearch({
            db: deps.db,
            client,
            workspaceId: input.workspaceId,
            // Looks back a while: a conversation can become searchable some seconds after its
            // updated_at (indexing lag), and `>` may be strict. What is re-read unchanged costs
            // no detail request (skipped as known).
            query: { field: 'updated_at', operator: '>', value: input.sinceSec - DEFAULT_LOOKBACK_SEC },
            force: false,
            resume: heartbeatCheckpoint(),
            detailConcurrency: deps.detailConcurrency,
            flushRows: deps.flushRows,
            metrics: deps.metrics,
            draining: deps.draining,
          }),
        );
        // The console's "last default run", written here so the workflow's history pays nothing for it.
        await recordDefaultRun(deps.db, input.workspaceId, new Date());
        deps.metrics?.defaultRunSucceeded(input.workspaceId);
        // The agent-state poller's last poll rides along (no action of its own): the workflow restarts a stale poller.
        const ws = await deps.db.selectFrom('workspaces').select('agents_polled_at').where('id', '=', input.workspaceId).executeTakeFirst();
        const agentsPolledAt = ws?.agents_polled_at ? new Date(ws.agents_polled_at).getTime() : null;
        return { cursorSec: Math.max(input.sinceSec, r.maxUpdatedAt ?? input.sinceSec), ...counts(r), agentsPolledAt };
      } catch (err) {
        throw toActivityFailure(err);
      }
    },
  };
}
