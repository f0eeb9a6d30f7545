import { sql } from 'kysely';
import type { Db } from '../db/connection';
import type { TicketWithEvents } from '../mapping/ticket';

/**
 * Upserts tickets and their status events in one transaction, one statement per table, rows
 * passed as arrays through unnest (a fixed number of bind parameters, whatever the batch size).
 * A row that did not change is not written at all, so replaying a page changes nothing, not
 * even synced_at.
 */
export async function upsertTickets(db: Db, rows: TicketWithEvents[]): Promise<void> {
  if (rows.length === 0) return;
  // One statement cannot update a row twice: the last copy of a conversation wins.
  const unique = [...new Map(rows.map((r) => [`${r.ticket.workspace_id}/${r.ticket.conversation_id}`, r])).values()];
  const t = unique.map((r) => r.ticket);
  const events = [...new Map(unique.flatMap((r) => r.events).map((e) => [`${e.workspace_id}/${e.conversation_id}/${e.part_id}`, e])).values()];
  const ts = (d: Date | string | null | undefined) => (d === null || d === undefined ? null : new Date(d).toISOString());
  await db.transaction().execute(async (trx) => {
    await sql`
      insert into tickets (workspace_id, conversation_id, created_at, updated_at, subject, status, channel,
                           first_responded_at, first_response_duration, parts_truncated, synced_at)
      select * from unnest(
        ${t.map((r) => r.workspace_id)}::text[], ${t.map((r) => r.conversation_id)}::text[],
        ${t.map((r) => ts(r.created_at))}::timestamptz[], ${t.map((r) => ts(r.updated_at))}::timestamptz[],
        ${t.map((r) => r.subject ?? null)}::text[], ${t.map((r) => r.status)}::text[], ${t.map((r) => r.channel)}::text[],
        ${t.map((r) => ts(r.first_responded_at))}::timestamptz[], ${t.map((r) => r.first_response_duration ?? null)}::integer[],
        ${t.map((r) => r.parts_truncated ?? false)}::boolean[], ${t.map((r) => ts(r.synced_at))}::timestamptz[])
      on conflict (workspace_id, conversation_id) do update set
        created_at = excluded.created_at, updated_at = excluded.updated_at, subject = excluded.subject,
        status = excluded.status, channel = excluded.channel, first_responded_at = excluded.first_responded_at,
        first_response_duration = excluded.first_response_duration, parts_truncated = excluded.parts_truncated,
        synced_at = excluded.synced_at
      where (tickets.created_at, tickets.updated_at, tickets.subject, tickets.status, tickets.channel,
             tickets.first_responded_at, tickets.first_response_duration, tickets.parts_truncated)
        is distinct from
            (excluded.created_at, excluded.updated_at, excluded.subject, excluded.status, excluded.channel,
             excluded.first_responded_at, excluded.first_response_duration, excluded.parts_truncated)
    `.execute(trx);
    if (events.length === 0) return;
    await sql`
      insert into ticket_status_events (workspace_id, conversation_id, part_id, status, occurred_at)
      select * from unnest(
        ${events.map((e) => e.workspace_id)}::text[], ${events.map((e) => e.conversation_id)}::text[],
        ${events.map((e) => e.part_id)}::text[], ${events.map((e) => e.status)}::text[],
        ${events.map((e) => ts(e.occurred_at))}::timestamptz[])
      on conflict (workspace_id, conversation_id, part_id) do update set
        status = excluded.status, occurred_at = excluded.occurred_at
      where (ticket_status_events.status, ticket_status_events.occurred_at) is distinct from (excluded.status, excluded.occurred_at)
    `.execute(trx);
  });
}

/** Stored updated_at (Unix s) of those conversations: unchanged ones need no detail request. */
export async function knownUpdatedAt(db: Db, workspaceId: string, conversationIds: string[]): Promise<Map<string, number>> {
  if (conversationIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('tickets')
    .select(['conversation_id', 'updated_at'])
    .where('workspace_id', '=', workspaceId)
    .where('conversation_id', '=', sql<string>`any(${conversationIds}::text[])`)
    .execute();
  return new Map(rows.map((r) => [r.conversation_id, Math.floor(r.updated_at.getTime() / 1000)]));
}

export async function countTickets(db: Db, workspaceId: string): Promise<number> {
  const row = await db.selectFrom('tickets').select((eb) => eb.fn.countAll<string>().as('n')).where('workspace_id', '=', workspaceId).executeTakeFirstOrThrow();
  return Number(row.n);
}
