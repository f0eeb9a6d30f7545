import type { AgentStateObservation } from '../../src/mapping/agent';
import { recordAgentStates, syncAgentDirectory, upsertAgents } from '../../src/repositories/agents';
import { createTestDb, type TestDb } from '../helpers/db';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t.destroy());

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0) + s * 1000);
const available = (adminId: string): AgentStateObservation => ({ adminId, state: 'available', reassign: false });
const away = (adminId: string, reassign = true): AgentStateObservation => ({ adminId, state: 'away', reassign });

async function events(ws: string) {
  return t.db.selectFrom('agent_state_events').select(['admin_id', 'state', 'reassign', 'started_at']).where('workspace_id', '=', ws).orderBy('admin_id').orderBy('started_at').execute();
}
async function states(ws: string) {
  return t.db.selectFrom('agent_states').select(['admin_id', 'state', 'reassign', 'since', 'observed_at']).where('workspace_id', '=', ws).orderBy('admin_id').execute();
}

describe('recordAgentStates', () => {
  it('records one event per change and none per unchanged poll', async () => {
    expect(await recordAgentStates(t.db, 'a1', [available('1'), away('2')], at(0))).toEqual(['1', '2']);
    expect(await recordAgentStates(t.db, 'a1', [available('1'), away('2')], at(15))).toEqual([]);
    expect(await recordAgentStates(t.db, 'a1', [away('1'), away('2')], at(30))).toEqual(['1']);
    expect(await recordAgentStates(t.db, 'a1', [away('1'), away('2')], at(45))).toEqual([]);
    expect(await recordAgentStates(t.db, 'a1', [available('1'), available('2')], at(60))).toEqual(['1', '2']);
    expect(await events('a1')).toEqual([
      { admin_id: '1', state: 'available', reassign: false, started_at: at(0) },
      { admin_id: '1', state: 'away', reassign: true, started_at: at(30) },
      { admin_id: '1', state: 'available', reassign: false, started_at: at(60) },
      { admin_id: '2', state: 'away', reassign: true, started_at: at(0) },
      { admin_id: '2', state: 'available', reassign: false, started_at: at(60) },
    ]);
  });

  it('keeps the current state: since moves on a change only, observed_at on a change or once a minute', async () => {
    await recordAgentStates(t.db, 'a2', [available('1')], at(0));
    await recordAgentStates(t.db, 'a2', [available('1')], at(15));
    expect(await states('a2')).toEqual([{ admin_id: '1', state: 'available', reassign: false, since: at(0), observed_at: at(0) }]);
    await recordAgentStates(t.db, 'a2', [available('1')], at(61));
    expect(await states('a2')).toEqual([{ admin_id: '1', state: 'available', reassign: false, since: at(0), observed_at: at(61) }]);
    await recordAgentStates(t.db, 'a2', [away('1', false)], at(75));
    expect(await states('a2')).toEqual([{ admin_id: '1', state: 'away', reassign: false, since: at(75), observed_at: at(75) }]);
  });

  it('counts a change of the reassign flag alone', async () => {
    await recordAgentStates(t.db, 'a3', [away('1', false)], at(0));
    expect(await recordAgentStates(t.db, 'a3', [away('1', true)], at(15))).toEqual(['1']);
    expect((await events('a3')).map((e) => e.reassign)).toEqual([false, true]);
  });

  it('is idempotent: replaying a call reports and writes nothing', async () => {
    await recordAgentStates(t.db, 'a4', [available('1')], at(0));
    expect(await recordAgentStates(t.db, 'a4', [away('1')], at(15))).toEqual(['1']);
    const before = { e: await events('a4'), s: await states('a4') };
    expect(await recordAgentStates(t.db, 'a4', [away('1')], at(15))).toEqual([]);
    expect({ e: await events('a4'), s: await states('a4') }).toEqual(before);
  });

  it('ignores an observation older than the stored one', async () => {
    await recordAgentStates(t.db, 'a5', [available('1')], at(30));
    expect(await recordAgentStates(t.db, 'a5', [away('1')], at(15))).toEqual([]);
    expect(await states('a5')).toEqual([{ admin_id: '1', state: 'available', reassign: false, since: at(30), observed_at: at(30) }]);
    expect(await events('a5')).toHaveLength(1);
  });

  it('reports one change once even when overlapping polls see it', async () => {
    await recordAgentStates(t.db, 'a6', [available('1'), available('2')], at(0));
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => recordAgentStates(t.db, 'a6', [away('1'), away('2')], at(15 + i))));
    expect(results.flat().sort()).toEqual(['1', '2']);
    expect((await events('a6')).map((e) => [e.admin_id, e.state])).toEqual([
      ['1', 'available'],
      ['1', 'away'],
      ['2', 'available'],
      ['2', 'away'],
    ]);
  });

  it('reports a first sighting once under concurrency too', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => recordAgentStates(t.db, 'a7', [available('1')], at(i))));
    expect(results.flat()).toEqual(['1']);
    expect(await events('a7')).toHaveLength(1);
  });

  it('takes the last of repeated observations and keeps workspaces apart', async () => {
    expect(await recordAgentStates(t.db, 'a8', [available('1'), away('1')], at(0))).toEqual(['1']);
    expect(await states('a8')).toMatchObject([{ state: 'away' }]);
    expect(await recordAgentStates(t.db, 'a8-other', [available('1')], at(0))).toEqual(['1']);
    expect(await states('a8')).toMatchObject([{ state: 'away' }]);
    expect(await recordAgentStates(t.db, 'a8', [], at(0))).toEqual([]);
  });
});

describe('upsertAgents', () => {
  const row = (admin_id: string, name: string, synced_at: Date) => ({ workspace_id: 'ignored', admin_id, name, email: `${admin_id}@corp.test`, role: 'standard', team_ids: ['3'], synced_at });
  const agents = () => t.db.selectFrom('agents').selectAll().where('workspace_id', '=', 'g1').orderBy('admin_id').execute();

  it('stores agents under the given workspace; a replay changes nothing', async () => {
    await upsertAgents(t.db, 'g1', [row('1', 'Ana', at(0)), row('2', 'Bo', at(0))]);
    const before = await agents();
    expect(before.map((a) => [a.workspace_id, a.admin_id, a.team_ids])).toEqual([
      ['g1', '1', ['3']],
      ['g1', '2', ['3']],
    ]);
    await upsertAgents(t.db, 'g1', [row('1', 'Ana', at(60)), row('2', 'Bo', at(60))]);
    expect(await agents()).toEqual(before);
  });

  it('updates what changed', async () => {
    await upsertAgents(t.db, 'g1', [row('1', 'Ana Maria', at(120))]);
    expect(await agents()).toMatchObject([{ admin_id: '1', name: 'Ana Maria', synced_at: at(120) }, { admin_id: '2', name: 'Bo', synced_at: at(0) }]);
  });
});

describe('syncAgentDirectory', () => {
  const row = (admin_id: string, team_ids: string[] = [], name = `Admin ${admin_id}`) => ({ workspace_id: 'd', admin_id, name, email: `${admin_id}@corp.test`, role: 'standard', team_ids, synced_at: at(0) });
  const agents = (ws: string) => t.db.selectFrom('agents').select(['admin_id', 'name', 'team_ids', 'removed_at', 'first_seen_at']).where('workspace_id', '=', ws).orderBy('admin_id').execute();

  it('adds new admins, updates changed ones, marks unlisted ones removed (kept), and reports the team moves', async () => {
    expect(await syncAgentDirectory(t.db, 'd1', [row('1', ['10']), row('2')], at(0))).toEqual({
      added: ['1', '2'],
      changed: [],
      removed: [],
      moves: [{ adminId: '1', before: null, after: ['10'] }],
    });
    const next = await syncAgentDirectory(t.db, 'd1', [row('1', ['11', '10']), row('3', [], 'Hired')], at(15));
    expect(next).toEqual({
      added: ['3'],
      changed: ['1'],
      removed: ['2'],
      moves: [{ adminId: '1', before: ['10'], after: ['10', '11'] }],
    });
    expect(await agents('d1')).toEqual([
      { admin_id: '1', name: 'Admin 1', team_ids: ['10', '11'], removed_at: null, first_seen_at: at(0) },
      { admin_id: '2', name: 'Admin 2', team_ids: [], removed_at: at(15), first_seen_at: at(0) },
      { admin_id: '3', name: 'Hired', team_ids: [], removed_at: null, first_seen_at: at(15) },
    ]);
  });

  it('an unchanged list writes nothing; a re-listed admin is unmarked and keeps first_seen_at', async () => {
    await syncAgentDirectory(t.db, 'd2', [row('1', ['10']), row('2', ['10'])], at(0));
    const before = await agents('d2');
    expect(await syncAgentDirectory(t.db, 'd2', [row('1', ['10']), row('2', ['10'])], at(15))).toEqual({ added: [], changed: [], removed: [], moves: [] });
    expect(await agents('d2')).toEqual(before);
    expect((await syncAgentDirectory(t.db, 'd2', [row('1', ['10'])], at(30))).moves).toEqual([{ adminId: '2', before: ['10'], after: null }]);
    expect(await syncAgentDirectory(t.db, 'd2', [row('1', ['10']), row('2', ['10'])], at(45))).toEqual({ added: ['2'], changed: [], removed: [], moves: [{ adminId: '2', before: null, after: ['10'] }] });
    expect((await agents('d2'))[1]).toMatchObject({ admin_id: '2', removed_at: null, first_seen_at: at(0) });
  });
});
