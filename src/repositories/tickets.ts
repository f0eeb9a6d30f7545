import { sql } from 'kysely';
import type { Db } from '../db/connection';
import type { TicketRow, TicketStatusEventRow } from '../db/schema';
import type { TicketWithEvents } from '../mapping/ticket';
import { chunks, inTransaction, isoOrNull, sortedBy, uniqueBy } from './transaction';

/**
 * Rows per statement. unnest takes one bind parameter per column whatever the row count, so this
 * only bounds statement size and lock hold time, not Postgres's 65,535-parameter limit.
 */
const ROWS_PER_STATEMENT = 5_000;

const ticketKey = (t: TicketRow) => `${t.workspace_id}\u0000${t.conversation_id}`;
const eventKey = (e: TicketStatusEventRow) => `${e.workspace_id}\u0000${e.conversation_id}\u0000${e.part_id}`;

/**
 * Upserts tickets and their status events atomically: a batch of the usual size is one statement
 * (the tickets insert as a data-modifying CTE beside the events insert: one round trip instead of
 * BEGIN, two statements and COMMIT); a larger one is a transaction with a statement per table and chunk.
 *
 * A ticket whose content is unchanged is not written at all, so replaying a page changes nothing
 * (synced_at included): synced_at is when the sync last changed the row, not when it last saw it.
 * An update carrying an older `updated_at` than the stored one is also skipped, so a slow
 * activity holding stale details cannot roll a ticket back. Status events are facts keyed by part
 * id and are only ever added (or corrected in place); parts that fall out of Intercom's 500-part
 * window keep their events.
 */
export async function upsertTickets(db: Db, rows: readonly TicketWithEvents[]): Promise<void> {
  if (rows.length === 0) return;
  const tickets = sortedBy(uniqueBy(rows.map((r) => r.ticket), ticketKey), ticketKey);
  const events = sortedBy(uniqueBy(rows.flatMap((r) => r.events), eventKey), eventKey);
  if (tickets.length <= ROWS_PER_STATEMENT && events.length <= ROWS_PER_STATEMENT) {
    // The common case (a flush of ~50): one statement, atomic by itself, one round trip.
    await sql`with t as (${ticketsInsert(tickets)}) ${events.length ? eventsInsert(events) : sql`select 1`}`.execute(db);
    return;
  }
  await inTransaction(db, async (trx) => {
    for (const chunk of chunks(tickets, ROWS_PER_STATEMENT)) await ticketsInsert(chunk).execute(trx);
    for (const chunk of chunks(events, ROWS_PER_STATEMENT)) await eventsInsert(chunk).execute(trx);
  });
}

function ticketsInsert(t: TicketRow[]) {
  return sql`
    insert into tickets (workspace_id, conversation_id, created_at, updated_at, subject, status, channel,
                         first_responded_at, first_response_duration, parts_truncated, synced_at)
    select * from unnest(
      ${t.map((r) => r.workspace_id)}::text[], ${t.map((r) => r.conversation_id)}::text[],
      ${t.map((r) => isoOrNull(r.created_at))}::timestamptz[], ${t.map((r) => isoOrNull(r.updated_at))}::timestamptz[],
      ${t.map((r) => r.subject ?? null)}::text[], ${t.map((r) => r.status)}::text[], ${t.map((r) => r.channel)}::text[],
      ${t.map((r) => isoOrNull(r.first_responded_at))}::timestamptz[], ${t.map((r) => r.first_response_duration ?? null)}::integer[],
      ${t.map((r) => r.parts_truncated ?? false)}::boolean[], ${t.map((r) => isoOrNull(r.synced_at) ?? new Date().toISOString())}::timestamptz[])
    on conflict (workspace_id, conversation_id) do update set
      created_at = excluded.created_at, updated_at = excluded.updated_at, subject = excluded.subject,
      status = excluded.status, channel = excluded.channel, first_responded_at = excluded.first_responded_at,
      first_response_duration = excluded.first_response_duration, parts_truncated = excluded.parts_truncated,
      synced_at = excluded.synced_at
    where excluded.updated_at >= tickets.updated_at
      and (tickets.created_at, tickets.updated_at, tickets.subject, tickets.status, tickets.channel,
           tickets.first_responded_at, tickets.first_response_duration, tickets.parts_truncated)
          is distinct from
          (excluded.created_at, excluded.updated_at, excluded.subject, excluded.status, excluded.channel,
           excluded.first_responded_at, excluded.first_response_duration, excluded.parts_truncated)
  `;
}

function eventsInsert(e: TicketStatusEventRow[]) {
  return sql`
    insert into ticket_status_events (workspace_id, conversation_id, part_id, status, occurred_at)
    select * from unnest(
      ${e.map((r) => r.workspace_id)}::text[], ${e.map((r) => r.conversation_id)}::text[],
      ${e.map((r) => r.part_id)}::text[], ${e.map((r) => r.status)}::text[],
      ${e.map((r) => isoOrNull(r.occurred_at))}::timestamptz[])
    on conflict (workspace_id, conversation_id, part_id) do update set
      status = excluded.status, occurred_at = excluded.occurred_at
    where (ticket_status_events.status, ticket_status_events.occurred_at) is distinct from (excluded.status, excluded.occurred_at)
  `;
}

/** Stored updated_at (Unix seconds) per conversation id; absent ids are not stored. Unchanged conversations need no detail request. */
export async function knownUpdatedAt(db: Db, workspaceId: string, conversationIds: readonly string[]): Promise<Map<string, number>> {
  if (conversationIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('tickets')
    .select(['conversation_id', 'updated_at'])
    .where('workspace_id', '=', workspaceId)
    .where('conversation_id', '=', sql<string>`any(${[...conversationIds]}::text[])`)
    .execute();
  return new Map(rows.map((r) => [r.conversation_id, Math.floor(r.updated_at.getTime() / 1000)]));
}

export async function countTickets(db: Db, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom('tickets')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
