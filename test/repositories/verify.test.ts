import { recordAgentStates, syncAgentDirectory } from '../../src/repositories/agents';
import { upsertQueues, upsertTeams } from '../../src/repositories/catalog';
import { markTicketsDeleted, upsertTickets } from '../../src/repositories/tickets';
import { upsertWorkspace } from '../../src/repositories/workspaces';
import { agentRoster, agentsByState, contactsPerDay, contactsPerDayBy } from '../../src/repositories/verify';
import type { TicketWithEvents } from '../../src/mapping/ticket';
import { createTestDb, type TestDb } from '../helpers/db';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t.destroy());

const ticket = (workspace_id: string, conversation_id: string, createdAt: string, over: Partial<TicketWithEvents['ticket']> = {}): TicketWithEvents => ({
  ticket: { workspace_id, conversation_id, created_at: new Date(createdAt), updated_at: new Date(createdAt), subject: null, status: 'open', channel: 'chat', first_responded_at: null, first_response_duration: null, parts_truncated: false, synced_at: new Date(0), ...over },
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

describe('attribution in verify', () => {
  const now = new Date('2026-03-10T15:00:00Z');

  beforeAll(async () => {
    await upsertQueues(t.db, 'a1', [
      { workspace_id: 'a1', tag_id: 't1', name: 'Billing', synced_at: now },
      { workspace_id: 'a1', tag_id: 't2', name: 'Bugs', synced_at: now },
    ]);
    await upsertTeams(t.db, 'a1', [{ workspace_id: 'a1', team_id: 'T1', name: 'Tier 1', admin_ids: [], synced_at: now }]);
    await upsertTickets(t.db, [
      ticket('a1', '1', '2026-03-10T01:00:00Z', { tag_ids: ['t1'], team_id: 'T1' }),
      ticket('a1', '2', '2026-03-10T02:00:00Z', { tag_ids: ['t1', 't2'], team_id: 'T1' }),
      ticket('a1', '3', '2026-03-09T02:00:00Z', { tag_ids: [], team_id: null }),
      ticket('a1', '4', '2026-03-09T03:00:00Z', { tag_ids: ['t9'], team_id: 'T9' }), // ids the catalog lacks
      ticket('a1', '5', '2026-03-10T04:00:00Z', { tag_ids: ['t2'], team_id: 'T1' }), // deleted below
      ticket('a1', '6', '2026-03-01T04:00:00Z', { tag_ids: ['t2'], team_id: 'T1' }), // before the window
    ]);
    await markTicketsDeleted(t.db, 'a1', [{ conversationId: '5', deletedAt: now }]);
  });

  it('counts contacts per day per queue: several tags count in each, untagged under (no queue), deleted ones not at all', async () => {
    const b = await contactsPerDayBy(t.db, 'a1', 'queue', 2, now);
    expect(b.slices.map((x) => [x.id, x.name, x.total])).toEqual([
      ['t1', 'Billing', 2],
      [null, '(no queue)', 1],
      ['t2', 'Bugs', 1],
      ['t9', 't9', 1],
    ]);
    expect(b.days).toEqual([
      { day: '2026-03-09', counts: [0, 1, 0, 1] },
      { day: '2026-03-10', counts: [2, 0, 1, 0] },
    ]);
    expect(await contactsPerDay(t.db, 'a1', 2, now)).toEqual([
      { day: '2026-03-09', count: 2 },
      { day: '2026-03-10', count: 2 },
    ]);
  });

  it('counts contacts per day per team, unassigned under (no team)', async () => {
    const b = await contactsPerDayBy(t.db, 'a1', 'team', 2, now);
    expect(b.slices.map((x) => [x.id, x.name, x.total])).toEqual([
      ['T1', 'Tier 1', 2],
      [null, '(no team)', 1],
      ['T9', 'T9', 1],
    ]);
    expect(b.days.map((d) => d.counts)).toEqual([
      [0, 1, 1],
      [2, 0, 0],
    ]);
    await expect(contactsPerDayBy(t.db, 'a1', 'team', 0, now)).rejects.toThrow(/positive integer/);
  });

  it('shows agents by state without removed admins, and names hires (not the first directory load)', async () => {
    const connected = new Date('2026-03-01T00:00:00Z');
    await upsertWorkspace(t.db, { id: 'r1', name: 'R', region: 'us', status: 'Connected', connectedAt: connected });
    const row = (admin_id: string, name: string, at: Date) => ({ workspace_id: 'r1', admin_id, name, email: null, role: 'standard', team_ids: [], synced_at: at });
    await syncAgentDirectory(t.db, 'r1', [row('1', 'Ana', connected), row('2', 'Bo', connected)], connected);
    const hired = new Date('2026-03-09T10:00:00Z');
    await syncAgentDirectory(t.db, 'r1', [row('1', 'Ana', hired), row('3', 'Cy', hired)], hired);
    await recordAgentStates(t.db, 'r1', [{ adminId: '1', state: 'available', reassign: false }, { adminId: '2', state: 'away', reassign: false }, { adminId: '3', state: 'away', reassign: false }], hired);
    expect(await agentsByState(t.db, 'r1')).toEqual([
      { state: 'available', count: 1 },
      { state: 'away', count: 1 },
    ]);
    expect(await agentRoster(t.db, 'r1', 14, now)).toEqual({ listed: 2, removed: 1, recent: [{ adminId: '3', name: 'Cy', firstSeenAt: hired, state: 'away' }] });
    expect((await agentRoster(t.db, 'r1', 1, now)).recent).toEqual([]);
  });
});
