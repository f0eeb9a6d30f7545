import type { Db } from '../../src/db/connection';
import type { ExpectedTicket } from '../../src/simulator';

const sec = (d: Date | null) => (d === null ? null : Math.floor(d.getTime() / 1000));

/** The tickets and status events in Postgres, in the simulator oracle's shape, sorted by id. */
export async function storedTickets(db: Db, workspaceId: string): Promise<ExpectedTicket[]> {
  const tickets = await db.selectFrom('tickets').selectAll().where('workspace_id', '=', workspaceId).orderBy('conversation_id').execute();
  const events = await db.selectFrom('ticket_status_events').selectAll().where('workspace_id', '=', workspaceId).orderBy('occurred_at').orderBy('part_id').execute();
  const byConversation = new Map<string, ExpectedTicket['statusEvents']>();
  for (const e of events) {
    const list = byConversation.get(e.conversation_id) ?? [];
    list.push({ partId: e.part_id, status: e.status as 'open', occurredAt: sec(e.occurred_at) as number });
    byConversation.set(e.conversation_id, list);
  }
  return tickets.map((t) => ({
    conversationId: t.conversation_id,
    createdAt: sec(t.created_at) as number,
    updatedAt: sec(t.updated_at) as number,
    subject: t.subject,
    status: t.status as 'open',
    firstRespondedAt: sec(t.first_responded_at),
    firstResponseDuration: t.first_response_duration,
    statusEvents: byConversation.get(t.conversation_id) ?? [],
    partsTruncated: t.parts_truncated,
  }));
}

export function normalizeExpected(expected: ExpectedTicket[]): ExpectedTicket[] {
  return [...expected]
    .map((e) => ({ ...e, statusEvents: [...e.statusEvents].sort((a, b) => a.occurredAt - b.occurredAt || (a.partId < b.partId ? -1 : 1)) }))
    .sort((a, b) => (a.conversationId < b.conversationId ? -1 : a.conversationId > b.conversationId ? 1 : 0));
}
