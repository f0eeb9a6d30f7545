import { sql } from 'kysely';
import type { Db } from '../db/connection';
import type { TicketRow, TicketStatusEventRow } from '../db/schema';
import { MAPPING_VERSION, type TicketWithEvents } from '../mapping/ticket';
import { chunks, inTransaction, isoOrNull, sortedBy, uniqueBy } from './transaction';

/**
 * Rows per statement. unnest takes one bind parameter per column whatever the row count, so this
 * only bounds statement size and lock hold time, not Postgres's 65,535-parameter limit.
 */
const ROWS_PER_STATEMENT = 5_000;

const ticketKey = (t: TicketRow) => `${t.workspace_id}\u0000${t.conversation_id}`;
const eventKey = (e: TicketStatusEventRow) => `${e.workspace_id}\u0000${e.conversation_id}\u0000${e.part_id}`;

/**
 * Upserts tickets (their queues included: tag_ids, read through the ticket_queues view) and their
 * status events atomically: a batch of the usual size is one statement (the tickets insert as a
 * data-modifying CTE beside the events insert: one round trip instead of BEGIN, two statements
 * and COMMIT); a larger one is a transaction with a statement per table and chunk.
 *
 * A ticket whose content is unchanged is not written at all, so replaying a page changes nothing
 * (synced_at included): synced_at is when the sync last changed the row, not when it last saw it.
 * An update carrying an older `updated_at` than the stored one is also skipped, so a slow
 * activity holding stale details cannot roll a ticket back; the same rule guards its queues.
 * Status events are facts keyed by part id and are only ever added (or corrected in place); parts
 * that fall out of Intercom's 500-part window keep their events. A ticket's queues are exactly the
 * conversation's tags as last fetched: a tag removed in Intercom is gone at the next fetch. A row
 * without tag_ids (undefined or null) keeps the stored ones.
 *
 * `deleted_at` is never set here (markTicketsDeleted does). A fetch made after a ticket was marked
 * deleted (synced_at later than deleted_at) proves the conversation exists and clears the mark; a
 * fetch that was under way when the mark was set does not.
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

/** A text[] literal ('{"1","2"}'), or null: unnest cannot carry one array per row, a literal per row can. */
export function textArrayLiteral(values: readonly string[] | null | undefined): string | null {
  if (values === null || values === undefined) return null;
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

function ticketsInsert(t: TicketRow[]) {
  return sql`
    insert into tickets (workspace_id, conversation_id, created_at, updated_at, subject, status, channel,
                         first_responded_at, first_response_duration, parts_truncated, synced_at,
                         assignee_admin_id, team_id, first_responder_admin_id, source_type, source_delivered_as,
                         priority, tag_ids, mapping_version)
    select u.workspace_id, u.conversation_id, u.created_at, u.updated_at, u.subject, u.status, u.channel,
           u.first_responded_at, u.first_response_duration, u.parts_truncated, u.synced_at,
           u.assignee_admin_id, u.team_id, u.first_responder_admin_id, u.source_type, u.source_delivered_as,
           u.priority, u.tag_ids::text[], u.mapping_version
    from unnest(
      ${t.map((r) => r.workspace_id)}::text[], ${t.map((r) => r.conversation_id)}::text[],
      ${t.map((r) => isoOrNull(r.created_at))}::timestamptz[], ${t.map((r) => isoOrNull(r.updated_at))}::timestamptz[],
      ${t.map((r) => r.subject ?? null)}::text[], ${t.map((r) => r.status)}::text[], ${t.map((r) => r.channel)}::text[],
      ${t.map((r) => isoOrNull(r.first_responded_at))}::timestamptz[], ${t.map((r) => r.first_response_duration ?? null)}::integer[],
      ${t.map((r) => r.parts_truncated ?? false)}::boolean[], ${t.map((r) => isoOrNull(r.synced_at) ?? new Date().toISOString())}::timestamptz[],
      ${t.map((r) => r.assignee_admin_id ?? null)}::text[], ${t.map((r) => r.team_id ?? null)}::text[],
      ${t.map((r) => r.first_responder_admin_id ?? null)}::text[], ${t.map((r) => r.source_type ?? null)}::text[],
      ${t.map((r) => r.source_delivered_as ?? null)}::text[], ${t.map((r) => r.priority ?? null)}::text[],
      ${t.map((r) => textArrayLiteral(r.tag_ids))}::text[], ${t.map((r) => r.mapping_version ?? 1)}::smallint[])
      as u(workspace_id, conversation_id, created_at, updated_at, subject, status, channel,
           first_responded_at, first_response_duration, parts_truncated, synced_at,
           assignee_admin_id, team_id, first_responder_admin_id, source_type, source_delivered_as,
           priority, tag_ids, mapping_version)
    on conflict (workspace_id, conversation_id) do update set
      created_at = excluded.created_at, updated_at = excluded.updated_at, subject = excluded.subject,
      status = excluded.status, channel = excluded.channel, first_responded_at = excluded.first_responded_at,
      first_response_duration = excluded.first_response_duration, parts_truncated = excluded.parts_truncated,
      synced_at = excluded.synced_at, assignee_admin_id = excluded.assignee_admin_id, team_id = excluded.team_id,
      first_responder_admin_id = excluded.first_responder_admin_id, source_type = excluded.source_type,
      source_delivered_as = excluded.source_delivered_as, priority = excluded.priority,
      tag_ids = coalesce(excluded.tag_ids, tickets.tag_ids), mapping_version = excluded.mapping_version,
      deleted_at = case when tickets.deleted_at < excluded.synced_at then null else tickets.deleted_at end
    where excluded.updated_at >= tickets.updated_at
      and ((tickets.created_at, tickets.updated_at, tickets.subject, tickets.status, tickets.channel,
            tickets.first_responded_at, tickets.first_response_duration, tickets.parts_truncated,
            tickets.assignee_admin_id, tickets.team_id, tickets.first_responder_admin_id, tickets.source_type,
            tickets.source_delivered_as, tickets.priority, tickets.tag_ids, tickets.mapping_version)
           is distinct from
           (excluded.created_at, excluded.updated_at, excluded.subject, excluded.status, excluded.channel,
            excluded.first_responded_at, excluded.first_response_duration, excluded.parts_truncated,
            excluded.assignee_admin_id, excluded.team_id, excluded.first_responder_admin_id, excluded.source_type,
            excluded.source_delivered_as, excluded.priority, coalesce(excluded.tag_ids, tickets.tag_ids), excluded.mapping_version)
           or tickets.deleted_at < excluded.synced_at)
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

/**
 * Stored updated_at (Unix seconds) per conversation id; absent ids are not stored. Unchanged
 * conversations need no detail request. A ticket marked deleted is treated as not stored: if a
 * search still lists it, it is fetched again (and the mark cleared when Intercom answers).
 */
export async function knownUpdatedAt(db: Db, workspaceId: string, conversationIds: readonly string[]): Promise<Map<string, number>> {
  if (conversationIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('tickets')
    .select(['conversation_id', 'updated_at'])
    .where('workspace_id', '=', workspaceId)
    .where('conversation_id', '=', sql<string>`any(${[...conversationIds]}::text[])`)
    .where('deleted_at', 'is', null)
    .execute();
  return new Map(rows.map((r) => [r.conversation_id, Math.floor(r.updated_at.getTime() / 1000)]));
}

/** Tickets that are contacts: those deleted in Intercom are not counted. */
export async function countTickets(db: Db, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom('tickets')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Marks stored tickets deleted (a 404 on the conversation, or GET /conversations/deleted); ids we
 * do not store are ignored and a mark already set is kept. Returns the ids newly marked. Rows are
 * kept (with their queues and events) so history stays whole; every count skips them.
 */
export async function markTicketsDeleted(db: Db, workspaceId: string, deletions: ReadonlyArray<{ conversationId: string; deletedAt: Date }>): Promise<string[]> {
  const unique = sortedBy(uniqueBy([...deletions], (d) => d.conversationId), (d) => d.conversationId);
  if (unique.length === 0) return [];
  const result = await sql<{ conversation_id: string }>`
    update tickets t set deleted_at = d.deleted_at
    from unnest(${unique.map((d) => d.conversationId)}::text[], ${unique.map((d) => isoOrNull(d.deletedAt))}::timestamptz[]) as d(conversation_id, deleted_at)
    where t.workspace_id = ${workspaceId} and t.conversation_id = d.conversation_id and t.deleted_at is null
    returning t.conversation_id`.execute(db);
  return result.rows.map((r) => r.conversation_id).sort();
}

/**
 * How many of the workspace's tickets (deleted ones aside) were written by an older mapping and
 * lack the current fields, and the newest created_at among them: what an upgrade refetch
 * (newest first, e.g. forced windows) has left to do, for its progress.
 */
export async function staleMapping(db: Db, workspaceId: string): Promise<{ stale: number; newestCreatedAt: Date | null }> {
  const row = await db
    .selectFrom('tickets')
    .select([(eb) => eb.fn.countAll<string>().as('n'), (eb) => eb.fn.max('created_at').as('newest')])
    .where('workspace_id', '=', workspaceId)
    .where('deleted_at', 'is', null)
    .where('mapping_version', '<', MAPPING_VERSION)
    .executeTakeFirstOrThrow();
  return { stale: Number(row.n), newestCreatedAt: row.newest ?? null };
}
