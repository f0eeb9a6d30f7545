import { Context } from '@temporalio/activity';
import { sql } from 'kysely';
import { inWindow, windowQuery } from '../src/intercom/client';
import { markTicketsDeleted } from '../src/repositories/tickets';
import type { Db } from '../src/db/connection';
import type { ActivityDeps } from './deps';
import { withWorkspaceClient } from './credentials';
import { toActivityFailure } from './failures';

/** The reconciliation's share of a workspace's daily request budget. */
export const RECONCILE_BUDGET_SHARE = 0.02;
/** Search pages per run at most (one run per default tick): it yields to the default loop and the agent polls. */
export const RECONCILE_PAGES_PER_RUN = 5;
/** Conversations created this recently are left out of a pass (search indexing lag). */
export const RECONCILE_LAG_SEC = 3600;
const PER_PAGE = 150;
const MIN_WINDOW_SEC = 3600;
const MAX_WINDOW_SEC = 90 * 86400;
/** Budget assumed before the rate limiter has learned the workspace's limit: Intercom's historical 1,000 per minute. */
const FALLBACK_PER_DAY = 1000 * 1440;

/** A reconciliation pass in progress: windows are compared newest first, from hiSec down to fromSec. */
export interface ReconcileCursor {
  fromSec: number;
  toSec: number;
  hiSec: number;
  windowSec: number;
}

export interface ReconcileInput {
  workspaceId: string;
  /** null: start a new pass over the `years` before now. */
  cursor: ReconcileCursor | null;
  years: number;
  maxPages?: number;
}

export interface ReconcileResult {
  /** null: the pass is complete. */
  cursor: ReconcileCursor | null;
  pages: number;
  /** Conversations Intercom listed in the windows compared. */
  checked: number;
  /** Stored tickets Intercom no longer lists, marked deleted_at. */
  marked: number;
  requests: number;
  /** The day's 2 % share was spent: nothing was read; the pass continues tomorrow. */
  budgetExhausted: boolean;
}

/**
 * What to do with a window whose first page says it needs `need` pages, `pagesLeft` left in this
 * run and `dayLeft` left of the day's share (both after that first page). A window larger than the
 * run shrinks; one already at the minimum (an hour) is read whole even past the run's pages (the
 * run's page cap is the yield to the default loop; an hour holding over 750 conversations is rare),
 * but never past the day's share: then the pass waits for the next UTC day, cursor unchanged.
 */
export function windowPlan(need: number, pagesLeft: number, dayLeft: number, windowSec: number): 'read' | 'shrink' | 'wait_for_tomorrow' {
  if (need <= pagesLeft) return 'read';
  if (windowSec > MIN_WINDOW_SEC) return 'shrink';
  return need - 1 > dayLeft ? 'wait_for_tomorrow' : 'read';
}

/** The workspace's daily request budget: the rate limiter's learned window limit over a day. */
async function dailyBudget(db: Db, workspaceId: string): Promise<number> {
  const row = await db.selectFrom('rate_limits').select(['window_limit', 'window_ms']).where('workspace_id', '=', workspaceId).executeTakeFirst();
  return row && row.window_ms > 0 ? Math.floor((row.window_limit * 86_400_000) / row.window_ms) : FALLBACK_PER_DAY;
}

const today = () => new Date().toISOString().slice(0, 10);

async function spentToday(db: Db, workspaceId: string): Promise<number> {
  const row = await db.selectFrom('reconciliation_requests').select('requests').where('workspace_id', '=', workspaceId).where('day', '=', sql<Date>`${today()}::date`).executeTakeFirst();
  return row?.requests ?? 0;
}

async function addSpent(db: Db, workspaceId: string, n: number): Promise<void> {
  if (n <= 0) return;
  await db
    .insertInto('reconciliation_requests')
    .values({ workspace_id: workspaceId, day: today(), requests: n })
    .onConflict((oc) => oc.columns(['workspace_id', 'day']).doUpdateSet({ requests: sql`reconciliation_requests.requests + excluded.requests` }))
    .execute();
}

export function createReconcileActivities(deps: ActivityDeps) {
  return {
    /**
     * One step of the deletion reconciliation (workspaces whose API lacks GET /conversations/deleted):
     * created_at windows, newest first, are read completely from search (ids only, no detail
     * request), and the stored tickets of the window that Intercom no longer lists are marked
     * deleted_at. A window is sized to fit in the run's pages; the pass resumes from the cursor.
     * Requests are counted per UTC day in reconciliation_requests and stop at 2 % of the
     * workspace's daily budget.
     */
    async reconcileDeletions(input: ReconcileInput): Promise<ReconcileResult> {
      const ctx = Context.current();
      try {
        const share = Math.floor(RECONCILE_BUDGET_SHARE * (await dailyBudget(deps.db, input.workspaceId)));
        const left = share - (await spentToday(deps.db, input.workspaceId));
        const nowSec = Math.floor(Date.now() / 1000);
        const toSec = nowSec - RECONCILE_LAG_SEC;
        const cursor: ReconcileCursor = input.cursor ?? { fromSec: toSec - Math.round(input.years * 365.25 * 86400), toSec, hiSec: toSec, windowSec: 30 * 86400 };
        const result: ReconcileResult = { cursor, pages: 0, checked: 0, marked: 0, requests: 0, budgetExhausted: false };
        const maxPages = Math.min(input.maxPages ?? RECONCILE_PAGES_PER_RUN, left);
        if (maxPages < 1) return { ...result, budgetExhausted: true };
        return await withWorkspaceClient(deps, input.workspaceId, async (client) => {
          const sentBefore = client.requestsSent;
          const c = { ...cursor };
          try {
            while (c.hiSec > c.fromSec && result.pages < maxPages) {
              const lo = Math.max(c.fromSec, c.hiSec - c.windowSec);
              const pagesLeft = maxPages - result.pages;
              const ids = new Set<string>();
              let fits = true;
              let first = true;
              for await (const { page } of client.searchPages(windowQuery('created_at', lo, c.hiSec), { perPage: PER_PAGE })) {
                result.pages += 1;
                if (first) {
                  first = false;
                  const need = Math.ceil(page.total_count / PER_PAGE);
                  const plan = windowPlan(need, pagesLeft, left - result.pages, c.windowSec);
                  if (plan === 'shrink') {
                    // Too many for this run: a smaller window, read in a later step.
                    c.windowSec = Math.max(MIN_WINDOW_SEC, Math.floor((c.windowSec * Math.max(1, pagesLeft - 1)) / (need * 2)));
                    fits = false;
                    break;
                  }
                  if (plan === 'wait_for_tomorrow') {
                    result.budgetExhausted = true;
                    fits = false;
                    break;
                  }
                }
                for (const s of page.conversations) if (inWindow('created_at', lo, c.hiSec)(s)) ids.add(s.id);
                ctx.heartbeat({ hiSec: c.hiSec, pages: result.pages });
              }
              if (result.budgetExhausted) break;
              if (!fits) continue;
              const stored = await deps.db
                .selectFrom('tickets')
                .select('conversation_id')
                .where('workspace_id', '=', input.workspaceId)
                .where('deleted_at', 'is', null)
                .where('created_at', '>=', new Date(lo * 1000))
                .where('created_at', '<', new Date(c.hiSec * 1000))
                .execute();
              const gone = stored.filter((r) => !ids.has(r.conversation_id)).map((r) => ({ conversationId: r.conversation_id, deletedAt: new Date() }));
              result.marked += (await markTicketsDeleted(deps.db, input.workspaceId, gone)).length;
              result.checked += ids.size;
              c.hiSec = lo;
              // Sparse windows grow, so a quiet five years takes few requests.
              if (ids.size * 4 < pagesLeft * PER_PAGE) c.windowSec = Math.min(MAX_WINDOW_SEC, c.windowSec * 2);
            }
          } finally {
            result.requests = client.requestsSent - sentBefore;
            await addSpent(deps.db, input.workspaceId, result.requests);
          }
          return { ...result, cursor: c.hiSec > c.fromSec ? c : null };
        });
      } catch (err) {
        throw toActivityFailure(err);
      }
    },
  };
}
