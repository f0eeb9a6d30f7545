import { recordAgentStates } from '../../src/repositories/agents';
import { upsertQueues, upsertTeams } from '../../src/repositories/catalog';
import { consumeOAuthState, createOAuthState } from '../../src/repositories/oauthStates';
import { upsertWorkspace } from '../../src/repositories/workspaces';
import { contactsPerDay } from '../../src/repositories/verify';
import { createTestDb, type TestDb } from '../helpers/db';

describe('repositories', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.destroy());

  it('agent states: one event per change, none per unchanged poll', async () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    expect(await recordAgentStates(t.db, 'w', [{ adminId: '1', state: 'available', reassign: false }], at(0))).toEqual(['1']);
    expect(await recordAgentStates(t.db, 'w', [{ adminId: '1', state: 'available', reassign: false }], at(15))).toEqual([]);
    expect(await recordAgentStates(t.db, 'w', [{ adminId: '1', state: 'away', reassign: true }], at(30))).toEqual(['1']);
    expect(await recordAgentStates(t.db, 'w', [{ adminId: '1', state: 'away', reassign: true }], at(45))).toEqual([]);
    const events = await t.db.selectFrom('agent_state_events').select(['state', 'started_at']).where('workspace_id', '=', 'w').orderBy('started_at').execute();
    expect(events).toEqual([
      { state: 'available', started_at: at(0) },
      { state: 'away', started_at: at(30) },
    ]);
    const current = await t.db.selectFrom('agent_states').selectAll().where('workspace_id', '=', 'w').executeTakeFirstOrThrow();
    expect(current).toMatchObject({ state: 'away', reassign: true, since: at(30) });
  });

  it('teams and queues follow Intercom: removed ones are marked removed_at (kept for history)', async () => {
    const now = new Date();
    await upsertTeams(t.db, 'w', [{ workspace_id: 'w', team_id: '1', name: 'A', admin_ids: ['7'], synced_at: now }, { workspace_id: 'w', team_id: '2', name: 'B', admin_ids: [], synced_at: now }]);
    await upsertTeams(t.db, 'w', [{ workspace_id: 'w', team_id: '2', name: 'B2', admin_ids: ['7'], synced_at: now }], now);
    expect(await t.db.selectFrom('teams').select(['team_id', 'name', 'admin_ids', 'removed_at']).where('workspace_id', '=', 'w').orderBy('team_id').execute()).toEqual([
      { team_id: '1', name: 'A', admin_ids: ['7'], removed_at: now },
      { team_id: '2', name: 'B2', admin_ids: ['7'], removed_at: null },
    ]);
    await upsertQueues(t.db, 'w', [{ workspace_id: 'w', tag_id: '9', name: 'VIP', synced_at: now }]);
    await upsertQueues(t.db, 'w', [], now);
    expect(await t.db.selectFrom('queues').select(['tag_id', 'removed_at']).where('workspace_id', '=', 'w').execute()).toEqual([{ tag_id: '9', removed_at: now }]);
  });

  it('an OAuth state works once, even for concurrent callbacks, and expires', async () => {
    const state = await createOAuthState(t.db, 60_000);
    const verdicts = await Promise.all(Array.from({ length: 5 }, () => consumeOAuthState(t.db, state)));
    expect(verdicts.filter((v) => v === 'ok')).toHaveLength(1);
    expect(verdicts.filter((v) => v === 'reused')).toHaveLength(4);
    expect(await consumeOAuthState(t.db, 'nope')).toBe('unknown');
    const expired = await createOAuthState(t.db, -1);
    expect(await consumeOAuthState(t.db, expired)).toBe('expired');
  });

  it('a re-connect keeps the first connection time', async () => {
    const first = await upsertWorkspace(t.db, { id: 'ws-r', name: 'One', region: 'us', status: 'Connected', connectedAt: new Date('2026-01-01T00:00:00Z') });
    const again = await upsertWorkspace(t.db, { id: 'ws-r', name: 'One renamed', region: 'eu', status: 'Connected', connectedAt: new Date('2026-06-01T00:00:00Z') });
    expect(again.connected_at).toEqual(first.connected_at);
    expect(again).toMatchObject({ name: 'One renamed', region: 'eu' });
  });

  it('contacts per day are zero-filled', async () => {
    const days = await contactsPerDay(t.db, 'empty', 7);
    expect(days).toHaveLength(7);
    expect(days.every((d) => d.count === 0)).toBe(true);
  });
});
