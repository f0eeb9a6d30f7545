import { recordAgentStates } from '../../src/repositories/agents';
import { upsertTickets } from '../../src/repositories/tickets';
import { agentsByState, contactsPerDay } from '../../src/repositories/verify';
import type { TicketWithEvents } from '../../src/mapping/ticket';
import { createTestDb, type TestDb } from '../helpers/db';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t.destroy());

const ticket = (workspace_id: string, conversation_id: string, createdAt: string): TicketWithEvents => ({
  ticket: { workspace_id, conversation_id, created_at: new Date(createdAt), updated_at: new Date(createdAt), subject: null, status: 'open', channel: 'chat', first_responded_at: null, first_response_duration: null, parts_truncated: false, synced_at: new Date(0) },
  events: [],
});

describe('contactsPerDay', () => {
  const now = new Date('2026-03-10T15:00:00Z');

  it('counts tickets created per UTC day for the last N days, zero-filled, oldest first', async () => {
    await upsertTickets(t.db, [
      ticket('v1', '1', '2026-03-10T00:00:00Z'),
      ticket('v1', '2', '2026-03-10T23:59:59Z'),
      ticket('v1', '3', '2026-03-09T23:59:59Z'),
      ticket('v1', '4', '2026-03-07T12:00:00Z'),
      ticket('v1', '5', '2026-03-06T23:59:59Z'), // before the window
      ticket('v1', '6', '2026-03-11T00:00:00Z'), // after today
      ticket('v2', '1', '2026-03-10T12:00:00Z'), // another workspace
    ]);
    expect(await contactsPerDay(t.db, 'v1', 4, now)).toEqual([
      { day: '2026-03-07', count: 1 },
      { day: '2026-03-08', count: 0 },
      { day: '2026-03-09', count: 1 },
      { day: '2026-03-10', count: 2 },
    ]);
    expect(await contactsPerDay(t.db, 'v1', 1, now)).toEqual([{ day: '2026-03-10', count: 2 }]);
  });

  it('gives N zero days for an empty workspace and refuses a bad N', async () => {
    const days = await contactsPerDay(t.db, 'empty', 14, now);
    expect(days).toHaveLength(14);
    expect(days[0]?.day).toBe('2026-02-25');
    expect(days.every((d) => d.count === 0)).toBe(true);
    await expect(contactsPerDay(t.db, 'empty', 0, now)).rejects.toThrow(/positive integer/);
  });

  it('defaults to today', async () => {
    const before = new Date().toISOString().slice(0, 10);
    const days = await contactsPerDay(t.db, 'empty', 2);
    const after = new Date().toISOString().slice(0, 10);
    expect([before, after]).toContain(days[1]?.day);
  });
});

describe('agentsByState', () => {
  it('counts agents by current state', async () => {
    await recordAgentStates(
      t.db,
      'v1',
      [
        { adminId: '1', state: 'available', reassign: false },
        { adminId: '2', state: 'away', reassign: true },
        { adminId: '3', state: 'away', reassign: false },
      ],
      new Date(0),
    );
    expect(await agentsByState(t.db, 'v1')).toEqual([
      { state: 'available', count: 1 },
      { state: 'away', count: 2 },
    ]);
    expect(await agentsByState(t.db, 'empty')).toEqual([]);
  });
});
