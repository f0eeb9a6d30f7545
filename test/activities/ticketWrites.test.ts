import { writeTickets } from '../../activities/ticketWrites';
import { createDb } from '../../src/db/connection';
import type { Conversation } from '../../src/intercom/schemas';
import { toTicketRow, type TicketWithEvents } from '../../src/mapping/ticket';
import { createTestDb, type TestDb } from '../helpers/db';
import { adminComment, contact, conversation, part } from '../mapping/fixtures';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t.destroy());

const T0 = 1_700_000_000;

function conv(id: string, over: Partial<Conversation> = {}): Conversation {
  const parts = [contact(T0 + 10), adminComment(T0 + 100), part({ id: `${id}-close`, part_type: 'close', created_at: T0 + 200 })];
  return conversation(parts, { id, created_at: T0, updated_at: T0 + 200, state: 'closed', source: { subject: `Subject ${id}` }, ...over });
}

const rows = (ws: string, ids: string[]): TicketWithEvents[] => ids.map((id) => toTicketRow(ws, conv(id), new Date()));
const ticketIds = async (ws: string) => (await t.db.selectFrom('tickets').select('conversation_id').where('workspace_id', '=', ws).orderBy('conversation_id').execute()).map((r) => r.conversation_id);
const errorsOf = (ws: string) => t.db.selectFrom('sync_errors').select(['conversation_id', 'problem', 'attempts']).where('workspace_id', '=', ws).orderBy('conversation_id').execute();

describe('writeTickets: a batch the database refuses is written row by row', () => {
  it('a batch of good rows is written as it is', async () => {
    const out = await writeTickets(t.db, 'w1', rows('w1', ['1', '2', '3']));
    expect(out).toEqual({ stored: ['1', '2', '3'], rejected: [] });
    expect(await ticketIds('w1')).toEqual(['1', '2', '3']);
    expect(await errorsOf('w1')).toEqual([]);
  });

  it('a row Postgres refuses (a NUL that got past mapping) goes to sync_errors with the reason and without its content; the rest are stored', async () => {
    const batch = rows('w2', ['1', '2', '3', '4']);
    batch[1]!.ticket.subject = 'SECRET-SUBJECT\u0000 of a customer';
    const out = await writeTickets(t.db, 'w2', batch);
    expect(out.stored).toEqual(['1', '3', '4']);
    expect(out.rejected).toEqual([{ conversationId: '2', problem: expect.stringContaining('22021') }]);
    expect(await ticketIds('w2')).toEqual(['1', '3', '4']);
    const errors = await errorsOf('w2');
    expect(errors).toEqual([{ conversation_id: '2', problem: expect.stringContaining('invalid byte sequence'), attempts: 1 }]);
    expect(errors[0]!.problem).not.toContain('SECRET');
  });

  it('a row whose time cannot even be sent (an invalid date) is refused the same way', async () => {
    const batch = rows('w3', ['1', '2']);
    batch[0]!.ticket.updated_at = new Date(Number.NaN);
    const out = await writeTickets(t.db, 'w3', batch);
    expect(out.stored).toEqual(['2']);
    expect(out.rejected.map((r) => r.conversationId)).toEqual(['1']);
    expect(await ticketIds('w3')).toEqual(['2']);
  });

  it('a row whose very id Postgres refuses is recorded under the id cleaned', async () => {
    const out = await writeTickets(t.db, 'w5', rows('w5', ['1', 'x\u00002']));
    expect(out.stored).toEqual(['1']);
    expect(out.rejected.map((r) => r.conversationId)).toEqual(['x\u00002']);
    expect((await errorsOf('w5')).map((e) => e.conversation_id)).toEqual(['x2']);
  });

  it('a database that cannot be reached is not a data error: the pg error itself propagates and nothing is recorded', async () => {
    const gone = createDb({ url: 'postgres://postgres@127.0.0.1:1/nowhere', connectTimeoutMs: 2_000 });
    try {
      await expect(writeTickets(gone, 'w4', rows('w4', ['1']))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      await gone.destroy();
    }
    expect(await errorsOf('w4')).toEqual([]);
  });
});
