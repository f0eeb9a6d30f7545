import { sql } from 'kysely';
import type { Conversation } from '../../src/intercom/schemas';
import { toTicketRow, type TicketWithEvents } from '../../src/mapping/ticket';
import { countTickets, knownUpdatedAt, markTicketsDeleted, staleMapping, upsertTickets } from '../../src/repositories/tickets';
import { createTestDb, type TestDb } from '../helpers/db';
import { adminComment, closedTicketRow, contact, conversation, part } from '../mapping/fixtures';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t.destroy());

async function snapshot(workspaceId: string) {
  const tickets = await t.db.selectFrom('tickets').selectAll().where('workspace_id', '=', workspaceId).orderBy('conversation_id').execute();
  const events = await t.db.selectFrom('ticket_status_events').selectAll().where('workspace_id', '=', workspaceId).orderBy('conversation_id').orderBy('part_id').execute();
  return { tickets, events };
}

function conv(id: string, over: Partial<Conversation> = {}): Conversation {
  const parts = [contact(1_010), adminComment(1_100), part({ id: `${id}-close`, part_type: 'close', created_at: 1_200 })];
  return conversation(parts, { id, state: 'closed', source: { subject: `Subject ${id}` }, ...over });
}

const page = (ws: string, ids: string[], syncedAt: Date): TicketWithEvents[] => ids.map((id) => toTicketRow(ws, conv(id), syncedAt));

describe('upsertTickets', () => {
  it('stores tickets and their status events', async () => {
    await upsertTickets(t.db, page('w1', ['1', '2'], new Date('2026-01-01T00:00:00Z')));
    const s = await snapshot('w1');
    expect(s.tickets).toHaveLength(2);
    expect(s.tickets[0]).toEqual({ ...closedTicketRow({ workspace_id: 'w1', conversation_id: '1', subject: 'Subject 1', synced_at: new Date('2026-01-01T00:00:00Z') }), deleted_at: null });
    expect(s.events).toEqual([
      { workspace_id: 'w1', conversation_id: '1', part_id: '1-close', status: 'closed', occurred_at: new Date(1_200_000) },
      { workspace_id: 'w1', conversation_id: '2', part_id: '2-close', status: 'closed', occurred_at: new Date(1_200_000) },
    ]);
  });

  it('sync again changes nothing, not even synced_at', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `r${i}`);
    await upsertTickets(t.db, page('w2', ids, new Date('2026-01-01T00:00:00Z')));
    const before = await snapshot('w2');
    const xminBefore = await sql<{ xmin: string }>`select xmin::text from tickets where workspace_id = 'w2' order by conversation_id`.execute(t.db);
    await upsertTickets(t.db, page('w2', ids, new Date('2026-02-01T00:00:00Z')));
    await upsertTickets(t.db, page('w2', ids, new Date('2026-03-01T00:00:00Z')));
    expect(await snapshot('w2')).toEqual(before);
    // Not even rewritten with equal values: no new row versions.
    const xminAfter = await sql<{ xmin: string }>`select xmin::text from tickets where workspace_id = 'w2' order by conversation_id`.execute(t.db);
    expect(xminAfter.rows).toEqual(xminBefore.rows);
  });

  it('a changed conversation updates its row (synced_at too) and adds its new events, keeping the old ones', async () => {
    await upsertTickets(t.db, [toTicketRow('w3', conv('1'), new Date('2026-01-01T00:00:00Z'))]);
    const reopened = conv('1', {
      state: 'snoozed',
      updated_at: 6_000,
      // Only the newest parts are visible now: the close part fell out of the window.
      conversation_parts: {
        conversation_parts: [part({ id: '1-reopen', part_type: 'open', created_at: 5_500 }), part({ id: '1-snooze', part_type: 'snoozed', created_at: 5_900 })],
        total_count: 600,
      },
      statistics: { first_admin_reply_at: 1_100 },
    });
    await upsertTickets(t.db, [toTicketRow('w3', reopened, new Date('2026-01-02T00:00:00Z'))]);
    const s = await snapshot('w3');
    expect(s.tickets[0]).toMatchObject({ status: 'snoozed', updated_at: new Date(6_000_000), parts_truncated: true, first_response_duration: 100, synced_at: new Date('2026-01-02T00:00:00Z') });
    expect(s.events.map((e) => [e.part_id, e.status])).toEqual([
      ['1-close', 'closed'],
      ['1-reopen', 'open'],
      ['1-snooze', 'snoozed'],
    ]);
  });

  it('a change that keeps updated_at (e.g. a corrected mapping) is still written', async () => {
    await upsertTickets(t.db, [toTicketRow('w4', conv('1'), new Date(0))]);
    await upsertTickets(t.db, [toTicketRow('w4', conv('1', { source: { subject: 'Fixed' } }), new Date(1_000))]);
    expect((await snapshot('w4')).tickets[0]).toMatchObject({ subject: 'Fixed', synced_at: new Date(1_000) });
  });

  it('never rolls a ticket back to older details', async () => {
    await upsertTickets(t.db, [toTicketRow('w5', conv('1', { updated_at: 9_000, state: 'open' }), new Date(0))]);
    const before = await snapshot('w5');
    await upsertTickets(t.db, [toTicketRow('w5', conv('1', { updated_at: 8_000, state: 'closed' }), new Date(1_000))]);
    expect((await snapshot('w5')).tickets).toEqual(before.tickets);
  });

  it('takes the last copy when a batch repeats a conversation or an event', async () => {
    const first = toTicketRow('w6', conv('1', { updated_at: 6_000 }), new Date(0));
    const second = toTicketRow('w6', conv('1', { updated_at: 7_000, state: 'open' }), new Date(0));
    await upsertTickets(t.db, [first, second]);
    const s = await snapshot('w6');
    expect(s.tickets).toHaveLength(1);
    expect(s.tickets[0]).toMatchObject({ updated_at: new Date(7_000_000), status: 'open' });
    expect(s.events).toHaveLength(1);
  });

  it('handles batches far beyond the bind-parameter limit', async () => {
    const ids = Array.from({ length: 12_000 }, (_, i) => `big${i}`);
    await upsertTickets(t.db, page('w7', ids, new Date(0)));
    expect(await countTickets(t.db, 'w7')).toBe(12_000);
    expect(Number((await sql<{ n: number }>`select count(*) as n from ticket_status_events where workspace_id = 'w7'`.execute(t.db)).rows[0]?.n)).toBe(12_000);
  });

  it('joins a caller transaction, so a rollback undoes it', async () => {
    await expect(
      t.db.transaction().execute(async (trx) => {
        await upsertTickets(trx, page('w8', ['1'], new Date(0)));
        expect(await countTickets(trx, 'w8')).toBe(1);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(await countTickets(t.db, 'w8')).toBe(0);
  });

  it('overlapping concurrent batches in different orders do not deadlock', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => `c${i}`);
    const batches = Array.from({ length: 6 }, (_, k) => {
      const order = k % 2 === 0 ? ids : [...ids].reverse();
      return order.map((id) => toTicketRow('w9', conv(id, { updated_at: 5_000 + k, tags: { tags: [{ id: 'all' }, { id: `k${k}` }] } }), new Date(k)));
    });
    await Promise.all(batches.map((b) => upsertTickets(t.db, b)));
    const s = await snapshot('w9');
    expect(s.tickets).toHaveLength(300);
    expect(new Set(s.tickets.map((r) => r.updated_at.getTime()))).toEqual(new Set([5_005_000]));
    const queues = await t.db.selectFrom('ticket_queues').select('tag_id').where('workspace_id', '=', 'w9').where('tag_id', '!=', 'all').execute();
    // Whatever the interleaving, no ticket keeps a tag of an older copy once the newest is written.
    expect(new Set(queues.map((q) => q.tag_id))).toEqual(new Set(['k5']));
  });

  it('accepts an empty batch', async () => {
    await expect(upsertTickets(t.db, [])).resolves.toBeUndefined();
  });
});

describe('knownUpdatedAt and countTickets', () => {
  beforeAll(async () => {
    await upsertTickets(t.db, [toTicketRow('k1', conv('a', { updated_at: 7_000 }), new Date(0)), toTicketRow('k1', conv('b', { updated_at: 8_000 }), new Date(0))]);
    await upsertTickets(t.db, [toTicketRow('k2', conv('a', { updated_at: 9_000 }), new Date(0))]);
  });

  it('gives the stored updated_at in Unix seconds for the stored ids of that workspace only', async () => {
    expect(await knownUpdatedAt(t.db, 'k1', ['a', 'b', 'missing'])).toEqual(new Map([['a', 7_000], ['b', 8_000]]));
    expect(await knownUpdatedAt(t.db, 'k2', ['a', 'b'])).toEqual(new Map([['a', 9_000]]));
    expect(await knownUpdatedAt(t.db, 'k1', [])).toEqual(new Map());
  });

  it('counts per workspace', async () => {
    expect(await countTickets(t.db, 'k1')).toBe(2);
    expect(await countTickets(t.db, 'k2')).toBe(1);
    expect(await countTickets(t.db, 'nobody')).toBe(0);
  });
});

const tagged = (ids: string[]) => ({ tags: { tags: ids.map((id) => ({ id })) } });

async function queuesOf(workspaceId: string): Promise<Record<string, string[]>> {
  const rows = await t.db.selectFrom('ticket_queues').selectAll().where('workspace_id', '=', workspaceId).orderBy('conversation_id').orderBy('tag_id').execute();
  const out: Record<string, string[]> = {};
  for (const r of rows) (out[r.conversation_id] ??= []).push(r.tag_id);
  return out;
}

describe('ticket_queues', () => {
  it('is exactly the tags of the last fetch: added, removed, replaced, emptied', async () => {
    await upsertTickets(t.db, [
      toTicketRow('q1', conv('1', { updated_at: 5_000, ...tagged(['a', 'b']) }), new Date(0)),
      toTicketRow('q1', conv('2', { updated_at: 5_000, ...tagged([]) }), new Date(0)),
      toTicketRow('q1', conv('3', { updated_at: 5_000, ...tagged(['c']) }), new Date(0)),
    ]);
    expect(await queuesOf('q1')).toEqual({ '1': ['a', 'b'], '3': ['c'] });
    await upsertTickets(t.db, [
      toTicketRow('q1', conv('1', { updated_at: 6_000, ...tagged(['b', 'd']) }), new Date(1)), // a removed, d added
      toTicketRow('q1', conv('2', { updated_at: 6_000, ...tagged(['a']) }), new Date(1)),
      toTicketRow('q1', conv('3', { updated_at: 6_000, ...tagged([]) }), new Date(1)), // untagged in Intercom
    ]);
    expect(await queuesOf('q1')).toEqual({ '1': ['b', 'd'], '2': ['a'] });
  });

  it('follows a retag that keeps updated_at, and ignores stale details', async () => {
    await upsertTickets(t.db, [toTicketRow('q2', conv('1', { updated_at: 7_000, ...tagged(['x']) }), new Date(0))]);
    await upsertTickets(t.db, [toTicketRow('q2', conv('1', { updated_at: 7_000, ...tagged(['y']) }), new Date(1))]);
    expect(await queuesOf('q2')).toEqual({ '1': ['y'] });
    await upsertTickets(t.db, [toTicketRow('q2', conv('1', { updated_at: 6_000, ...tagged(['z']) }), new Date(2))]);
    expect(await queuesOf('q2')).toEqual({ '1': ['y'] });
  });

  it('leaves other workspaces and conversations alone, and large batches keep it exact', async () => {
    await upsertTickets(t.db, [toTicketRow('q3', conv('1', tagged(['keep'])), new Date(0)), toTicketRow('q4', conv('1', tagged(['other'])), new Date(0))]);
    const ids = Array.from({ length: 6_000 }, (_, i) => `m${i}`);
    await upsertTickets(t.db, ids.map((id, i) => toTicketRow('q3', conv(id, tagged(i % 2 ? ['odd'] : ['even', 'x'])), new Date(0))));
    const q = await queuesOf('q3');
    expect(q['1']).toEqual(['keep']);
    expect(q.m0).toEqual(['even', 'x']);
    expect(q.m5999).toEqual(['odd']);
    expect(Object.keys(q)).toHaveLength(6_001);
    expect(await queuesOf('q4')).toEqual({ '1': ['other'] });
  });

  it('a row built without tag ids leaves the queues as they are', async () => {
    // (Also: tag ids that need quoting survive the array literal.)
    await upsertTickets(t.db, [toTicketRow('q6', conv('1', tagged(['a"b', 'c\\d', 'e,f', '{g}'])), new Date(0))]);
    expect(await queuesOf('q6')).toEqual({ '1': ['a"b', 'c\\d', 'e,f', '{g}'].sort() });
    await upsertTickets(t.db, [toTicketRow('q5', conv('1', { updated_at: 5_000, ...tagged(['t']) }), new Date(0))]);
    const row = toTicketRow('q5', conv('1', { updated_at: 6_000 }), new Date(1));
    delete row.ticket.tag_ids;
    await upsertTickets(t.db, [row]);
    expect(await queuesOf('q5')).toEqual({ '1': ['t'] });
  });
});

describe('markTicketsDeleted', () => {
  it('marks stored tickets only, keeps the first mark, and every count and skip check leaves them out', async () => {
    await upsertTickets(t.db, page('d1', ['1', '2'], new Date('2026-01-01T00:00:00Z')));
    const at = new Date('2026-01-02T00:00:00Z');
    expect(await markTicketsDeleted(t.db, 'd1', [{ conversationId: '1', deletedAt: at }, { conversationId: 'unknown', deletedAt: at }])).toEqual(['1']);
    expect(await markTicketsDeleted(t.db, 'd1', [{ conversationId: '1', deletedAt: new Date() }])).toEqual([]);
    const row = await t.db.selectFrom('tickets').select('deleted_at').where('workspace_id', '=', 'd1').where('conversation_id', '=', '1').executeTakeFirstOrThrow();
    expect(row.deleted_at).toEqual(at);
    expect(await countTickets(t.db, 'd1')).toBe(1);
    expect([...(await knownUpdatedAt(t.db, 'd1', ['1', '2'])).keys()]).toEqual(['2']);
  });

  it('a fetch made after the mark clears it; one that was under way before it does not', async () => {
    await upsertTickets(t.db, page('d2', ['1'], new Date('2026-01-01T00:00:00Z')));
    await markTicketsDeleted(t.db, 'd2', [{ conversationId: '1', deletedAt: new Date('2026-01-02T00:00:00Z') }]);
    await upsertTickets(t.db, page('d2', ['1'], new Date('2026-01-01T12:00:00Z'))); // stale: started before the mark
    expect(await countTickets(t.db, 'd2')).toBe(0);
    await upsertTickets(t.db, page('d2', ['1'], new Date('2026-01-03T00:00:00Z'))); // Intercom answered after the mark
    expect(await countTickets(t.db, 'd2')).toBe(1);
  });
});

describe('staleMapping (rows written before attribution)', () => {
  it('counts rows of an older mapping, newest first for a refetch, and a refetch brings them to the current one', async () => {
    await upsertTickets(t.db, page('s1', ['1', '2'], new Date(0)));
    expect(await staleMapping(t.db, 's1')).toEqual({ stale: 0, newestCreatedAt: null });
    // As a row stored before the migration looks: version 1, no attribution.
    await sql`update tickets set mapping_version = 1, tag_ids = null, assignee_admin_id = null where workspace_id = 's1'`.execute(t.db);
    expect(await staleMapping(t.db, 's1')).toEqual({ stale: 2, newestCreatedAt: new Date(1_000_000) });
    // The same details fetched again (nothing changed in Intercom) are still written: the mapping changed.
    await upsertTickets(t.db, [toTicketRow('s1', conv('1', { admin_assignee_id: '9', ...tagged(['q']) }), new Date(1))]);
    expect((await staleMapping(t.db, 's1')).stale).toBe(1);
    expect(await queuesOf('s1')).toEqual({ '1': ['q'] });
  });
});
