import type { Db } from '../../src/db/connection';
import type { ExpectedTicket } from '../../testkit/simulator';

const sec = (d: Date | null) => (d === null ? null : Math.floor(d.getTime() / 1000));

/** The tickets (not deleted ones: those are no contacts) and status events in Postgres, in the simulator oracle's shape, sorted by id. */
export async function storedTickets(db: Db, workspaceId: string): Promise<ExpectedTicket[]> {
  const tickets = await db.selectFrom('tickets').selectAll().where('workspace_id', '=', workspaceId).where('deleted_at', 'is', null).orderBy('conversation_id').execute();
  const queues = await db.selectFrom('ticket_queues').selectAll().where('workspace_id', '=', workspaceId).execute();
  const tagsOf = new Map<string, string[]>();
  for (const q of queues) tagsOf.set(q.conversation_id, [...(tagsOf.get(q.conversation_id) ?? []), q.tag_id]);
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
    assigneeAdminId: t.assignee_admin_id,
    teamId: t.team_id,
    tagIds: [...(tagsOf.get(t.conversation_id) ?? [])].sort(),
    firstResponderAdminId: t.first_responder_admin_id,
    sourceType: t.source_type as string,
    deliveredAs: t.source_delivered_as as string,
    priority: t.priority as string,
  }));
}

export function normalizeExpected(expected: ExpectedTicket[]): ExpectedTicket[] {
  return [...expected]
    .map((e) => ({ ...e, statusEvents: [...e.statusEvents].sort((a, b) => a.occurredAt - b.occurredAt || (a.partId < b.partId ? -1 : 1)) }))
    .sort((a, b) => (a.conversationId < b.conversationId ? -1 : a.conversationId > b.conversationId ? 1 : 0));
}

/**
 * The simulator's data reaches 5.5 years back; the backfill covers five years before the
 * connection, so the oracle is cut at the same instant the workflow computes.
 */
export async function expectedInBackfill(stack: { t: { db: Db }; sim: { workspace(id: string): { expected(): ExpectedTicket[] } } }, workspaceId: string, years = 5): Promise<ExpectedTicket[]> {
  const ws = await stack.t.db.selectFrom('workspaces').select('connected_at').where('id', '=', workspaceId).executeTakeFirstOrThrow();
  const connectedSec = Math.floor(ws.connected_at.getTime() / 1000);
  const fromSec = connectedSec - Math.round(years * 365.25 * 86400);
  return normalizeExpected(stack.sim.workspace(workspaceId).expected().filter((e) => e.createdAt >= fromSec && e.createdAt < connectedSec));
}

/** Detail fetches beyond the first of each conversation (the simulator's conversationFetches): what was fetched again. */
export function refetched(conversationFetches: Record<string, number>): number {
  return Object.values(conversationFetches).reduce((n, c) => n + Math.max(0, c - 1), 0);
}
