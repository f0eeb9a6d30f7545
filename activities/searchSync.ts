import { ApplicationFailure, Context } from '@temporalio/activity';
import { isIntercomError, type IntercomClient } from '../src/intercom/client';
import type { SearchQuery } from '../src/intercom/schemas';
import { isIgnored } from '../src/mapping/ignore';
import { toTicketRow, type TicketWithEvents } from '../src/mapping/ticket';
import { isPlausibleUnixSec, ticketTimeProblem } from '../src/mapping/clean';
import { knownUpdatedAt, markTicketsDeleted } from '../src/repositories/tickets';
import { clearSyncErrors, hasSyncErrors, recordSyncError } from '../src/repositories/syncErrors';
import type { Db } from '../src/db/connection';
import type { SyncMetrics } from '../src/observability/metrics';
import { retryOnConnectionLoss } from '../src/db/errors';
import { createCatalogGuard } from './catalog';
import { createSerialQueue, forEachConcurrent } from './concurrency';
import { writeTickets } from './ticketWrites';
import { FailureTypes, type WindowCheckpoint } from './types';
import { withCheckpoint } from './failures';

export interface SearchSyncOptions {
  db: Db;
  client: IntercomClient;
  workspaceId: string;
  query: SearchQuery;
  /** Results outside the range the caller asked for (the boundary seconds a search repeats) are passed over. */
  keep?: (c: { created_at: number; updated_at: number }) => boolean;
  force: boolean;
  resume: WindowCheckpoint | null;
  detailConcurrency: number;
  flushRows: number;
  metrics?: SyncMetrics;
  /** Worker draining: stop after the page in progress (its cursor heartbeated) with a retryable failure. */
  draining?: AbortSignal;
}

export interface SearchSyncResult extends WindowCheckpoint {
  totalCount: number;
  maxUpdatedAt: number | null;
}

const PER_PAGE = 150;

/** Attempts at a conversation whose detail response breaks the contract before it is passed over. */
const CONTRACT_ATTEMPTS = 3;

export const emptyCheckpoint = (): WindowCheckpoint => ({ startingAfter: null, pages: 0, stored: 0, ignored: 0, skipped: 0, missing: 0, failed: 0, requests: 0 });

/**
 * The engine of every conversation sync: search pages → details → batched upserts.
 * The checkpoint (`startingAfter` of the page in progress plus counts) is heartbeated, so a retry
 * re-requests at most the current page, and conversations already stored unchanged are not
 * fetched again (unless `force`): a crash costs at most the details that were in flight.
 * Conversations whose search result shows no `first_contact_reply` are ignored without a
 * detail request. A conversation whose detail response breaks the contract three times in a row
 * is recorded in sync_errors and passed over; a broken search page fails the run (and is retried).
 */
export async function syncSearch(o: SearchSyncOptions): Promise<SearchSyncResult> {
  const ctx = Context.current();
  const cp: WindowCheckpoint = { ...emptyCheckpoint(), ...o.resume };
  const startRequests = o.client.requestsSent;
  const snapshot = (): WindowCheckpoint => ({ ...cp, requests: cp.requests + (o.client.requestsSent - startRequests) });
  let totalCount = 0;
  let maxUpdatedAt: number | null = null;
  const serial = createSerialQueue();
  let buffer: TicketWithEvents[] = [];
  // Failures recorded earlier are forgotten once their conversations are stored.
  let errorsOnRecord = await hasSyncErrors(o.db, o.workspaceId);
  // A stored ticket naming a team or tag we lack makes it be read at once (activities/catalog.ts).
  const catalog = createCatalogGuard(o.db, o.client, o.workspaceId, ctx.log);
  const flush = () =>
    serial(async () => {
      if (buffer.length === 0) return;
      const rows = buffer;
      buffer = [];
      let written;
      try {
        // Rows the database refuses for their data are recorded in sync_errors one by one there.
        written = await writeTickets(o.db, o.workspaceId, rows);
      } catch (err) {
        // The database is away: the rows stay buffered for the next flush (the one on the way out
        // of a failed run included), so their details are not fetched again.
        buffer = rows.concat(buffer);
        throw err;
      }
      for (const r of written.rejected) {
        ctx.log.warn('conversation passed over: the database refused its row', { workspaceId: o.workspaceId, conversationId: r.conversationId, problem: r.problem });
      }
      if (written.rejected.length > 0) errorsOnRecord = true;
      const stored = written.stored;
      if (errorsOnRecord) await retryOnConnectionLoss(() => clearSyncErrors(o.db, o.workspaceId, stored));
      cp.stored += written.stored.length;
      cp.failed += written.rejected.length;
      o.metrics?.rowsWritten('tickets', written.stored.length);
      if (written.rejected.length > 0) o.metrics?.syncError('rejected_row');
      const storedIds = new Set(stored);
      await catalog.afterStore(rows.filter((r) => storedIds.has(r.ticket.conversation_id)));
    });
  /** A record passed over for a reason of its own (not its answer's shape): recorded, and the rest go on. */
  const passOver = async (id: string, problem: string) => {
    await retryOnConnectionLoss(() => recordSyncError(o.db, o.workspaceId, id, problem, 1));
    errorsOnRecord = true;
    cp.failed += 1;
    o.metrics?.syncError('passed_over');
    ctx.log.warn('conversation passed over', { workspaceId: o.workspaceId, conversationId: id, problem });
  };
  const fetchDetail = async (id: string) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await o.client.getConversation(id);
      } catch (err) {
        if (!isIntercomError(err) || (err.code !== 'contract_violation' && err.code !== 'response_too_large')) throw err;
        // A body over the cap would be just as large again: quarantined at once.
        if (err.code === 'contract_violation' && attempt < CONTRACT_ATTEMPTS) continue;
        await recordSyncError(o.db, o.workspaceId, id, err.message, attempt);
        errorsOnRecord = true;
        o.metrics?.syncError(err.code);
        ctx.log.warn(`conversation passed over: ${err.code === 'response_too_large' ? 'its response is over the size cap' : 'its response breaks the contract'}`, { workspaceId: o.workspaceId, conversationId: id, problem: err.message });
        return 'failed' as const;
      }
    }
  };

  // Heartbeat on a timer too: a request can wait a whole rate-limit window (or a pause) for its turn.
  // Not in the first seconds: a heartbeat is a billable action, and a run that ends within them
  // (a default-loop tick, usually) has nothing a retry needs. Still well inside the heartbeat timeout.
  // Started here, right before the try whose finally stops it: a failure above must not leave it running.
  const quietMs = Math.min(5_000, (ctx.info.heartbeatTimeoutMs ?? 60_000) / 4);
  const startedAt = Date.now();
  const ticker = setInterval(() => {
    if (Date.now() - startedAt >= quietMs) ctx.heartbeat(snapshot());
  }, 2_000);
  try {
    for await (const { page, cursor, next } of o.client.searchPages(o.query, { perPage: PER_PAGE, startingAfter: cp.startingAfter })) {
      cp.startingAfter = cursor;
      if (totalCount === 0) totalCount = page.total_count;
      const candidates = [];
      for (const c of page.conversations) {
        if (o.keep && !o.keep(c)) continue;
        // An impossible updated_at (year 3000) must not carry the default loop's watermark past every real change.
        if ((maxUpdatedAt === null || c.updated_at > maxUpdatedAt) && isPlausibleUnixSec(c.updated_at, Date.now())) maxUpdatedAt = c.updated_at;
        if (isIgnored(c)) cp.ignored += 1;
        else candidates.push(c);
      }
      const candidateIds = candidates.map((c) => c.id);
      const known = o.force ? new Map<string, number>() : await retryOnConnectionLoss(() => knownUpdatedAt(o.db, o.workspaceId, candidateIds));
      const fetch = candidates.filter((c) => (known.get(c.id) ?? -1) < c.updated_at);
      cp.skipped += candidates.length - fetch.length;
      const syncedAt = new Date();
      await forEachConcurrent(fetch, o.detailConcurrency, async (summary) => {
        const conversation = await fetchDetail(summary.id);
        if (conversation === 'failed') {
          cp.failed += 1;
          return;
        }
        if (!conversation) {
          cp.missing += 1; // deleted between the search and the detail request: no longer a contact
          await markTicketsDeleted(o.db, o.workspaceId, [{ conversationId: summary.id, deletedAt: new Date() }]);
          return;
        }
        const row = toTicketRow(o.workspaceId, conversation, syncedAt);
        const timeProblem = ticketTimeProblem(row, syncedAt.getTime());
        if (timeProblem !== null) {
          await passOver(summary.id, `a time that cannot be true: ${timeProblem}`);
          return;
        }
        buffer.push(row);
        if (buffer.length >= o.flushRows) await flush();
      });
      await flush();
      cp.pages += 1;
      cp.startingAfter = next;
      // The checkpoint a retry resumes from; after the last page the result carries it instead.
      if (next) ctx.heartbeat(snapshot());
      if (o.draining?.aborted && next !== null) {
        throw ApplicationFailure.create({ type: FailureTypes.workerShutdown, message: 'worker shutting down: resuming from the heartbeated cursor on another worker', nonRetryable: false });
      }
    }
    return { ...snapshot(), totalCount, maxUpdatedAt };
  } catch (err) {
    // Whatever was fetched is kept; the error carries where to resume.
    await flush().catch(() => undefined);
    throw withCheckpoint(err, snapshot());
  } finally {
    clearInterval(ticker);
  }
}
