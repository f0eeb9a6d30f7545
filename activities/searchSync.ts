import { Context } from '@temporalio/activity';
import { isIntercomError, type IntercomClient } from '../src/intercom/client';
import type { SearchQuery } from '../src/intercom/schemas';
import { isIgnored } from '../src/mapping/ignore';
import { toTicketRow, type TicketWithEvents } from '../src/mapping/ticket';
import { knownUpdatedAt, upsertTickets } from '../src/repositories/tickets';
import { clearSyncErrors, hasSyncErrors, recordSyncError } from '../src/repositories/syncErrors';
import type { Db } from '../src/db/connection';
import { createSerialQueue, forEachConcurrent } from './concurrency';
import type { WindowCheckpoint } from './types';

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
  const flush = () =>
    serial(async () => {
      if (buffer.length === 0) return;
      const rows = buffer;
      buffer = [];
      await upsertTickets(o.db, rows);
      if (errorsOnRecord) await clearSyncErrors(o.db, o.workspaceId, rows.map((r) => r.ticket.conversation_id));
      cp.stored += rows.length;
    });
  const fetchDetail = async (id: string) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await o.client.getConversation(id);
      } catch (err) {
        if (!isIntercomError(err) || err.code !== 'contract_violation') throw err;
        if (attempt < CONTRACT_ATTEMPTS) continue;
        await recordSyncError(o.db, o.workspaceId, id, err.message, attempt);
        errorsOnRecord = true;
        ctx.log.warn('conversation passed over: its response breaks the contract', { workspaceId: o.workspaceId, conversationId: id, problem: err.message });
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
        if (maxUpdatedAt === null || c.updated_at > maxUpdatedAt) maxUpdatedAt = c.updated_at;
        if (isIgnored(c)) cp.ignored += 1;
        else candidates.push(c);
      }
      const known = o.force ? new Map<string, number>() : await knownUpdatedAt(o.db, o.workspaceId, candidates.map((c) => c.id));
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
          cp.missing += 1; // deleted between the search and the detail request
          return;
        }
        buffer.push(toTicketRow(o.workspaceId, conversation, syncedAt));
        if (buffer.length >= o.flushRows) await flush();
      });
      await flush();
      cp.pages += 1;
      cp.startingAfter = next;
      // The checkpoint a retry resumes from; after the last page the result carries it instead.
      if (next) ctx.heartbeat(snapshot());
    }
    return { ...snapshot(), totalCount, maxUpdatedAt };
  } catch (err) {
    // Whatever was fetched is kept; the error carries where to resume.
    await flush().catch(() => undefined);
    (err as { checkpoint?: WindowCheckpoint }).checkpoint = snapshot();
    throw err;
  } finally {
    clearInterval(ticker);
  }
}
