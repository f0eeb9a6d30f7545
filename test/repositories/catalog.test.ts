import { upsertQueues, upsertTeams } from '../../src/repositories/catalog';
import { createTestDb, type TestDb } from '../helpers/db';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t.destroy());

const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000);
const team = (team_id: string, name: string, admin_ids: string[], synced_at = at(0)) => ({ workspace_id: 'x', team_id, name, admin_ids, synced_at });
const tag = (tag_id: string, name: string, synced_at = at(0)) => ({ workspace_id: 'x', tag_id, name, synced_at });
const teams = (ws: string) => t.db.selectFrom('teams').selectAll().where('workspace_id', '=', ws).orderBy('team_id').execute();
const queues = (ws: string) => t.db.selectFrom('queues').selectAll().where('workspace_id', '=', ws).orderBy('tag_id').execute();

describe('teams', () => {
  it('follow Intercom: new ones added, changed ones updated, removed ones deleted', async () => {
    await upsertTeams(t.db, 'c1', [team('1', 'A', ['7']), team('2', 'B', []), team('3', 'C', ['8'])]);
    await upsertTeams(t.db, 'c1', [team('2', 'B2', ['7'], at(60)), team('3', 'C', ['8'], at(60)), team('4', 'D', [], at(60))]);
    expect(await teams('c1')).toEqual([
      { workspace_id: 'c1', team_id: '2', name: 'B2', admin_ids: ['7'], synced_at: at(60) },
      { workspace_id: 'c1', team_id: '3', name: 'C', admin_ids: ['8'], synced_at: at(0) },
      { workspace_id: 'c1', team_id: '4', name: 'D', admin_ids: [], synced_at: at(60) },
    ]);
  });

  it('a replay changes nothing', async () => {
    const list = [team('1', 'A', ['7', '8']), team('2', 'B', [])];
    await upsertTeams(t.db, 'c2', list);
    const before = await teams('c2');
    await upsertTeams(t.db, 'c2', list.map((r) => ({ ...r, synced_at: at(600) })));
    expect(await teams('c2')).toEqual(before);
  });

  it('an empty list removes them all, and other workspaces are untouched', async () => {
    await upsertTeams(t.db, 'c3', [team('1', 'A', [])]);
    await upsertTeams(t.db, 'c3-other', [team('1', 'A', [])]);
    await upsertTeams(t.db, 'c3', []);
    expect(await teams('c3')).toEqual([]);
    expect(await teams('c3-other')).toHaveLength(1);
  });
});

describe('queues (tags)', () => {
  it('follow Intercom the same way', async () => {
    await upsertQueues(t.db, 'q1', [tag('9', 'VIP'), tag('10', 'Bug')]);
    await upsertQueues(t.db, 'q1-other', [tag('9', 'VIP')]);
    await upsertQueues(t.db, 'q1', [tag('10', 'Bugs', at(60)), tag('11', 'New', at(60))]);
    expect(await queues('q1')).toEqual([
      { workspace_id: 'q1', tag_id: '10', name: 'Bugs', synced_at: at(60) },
      { workspace_id: 'q1', tag_id: '11', name: 'New', synced_at: at(60) },
    ]);
    const before = await queues('q1');
    await upsertQueues(t.db, 'q1', [tag('10', 'Bugs', at(120)), tag('11', 'New', at(120))]);
    expect(await queues('q1')).toEqual(before);
    await upsertQueues(t.db, 'q1', []);
    expect(await queues('q1')).toEqual([]);
    expect(await queues('q1-other')).toHaveLength(1);
  });
});
