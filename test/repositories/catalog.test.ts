import { applyTeamMoves, knownCatalogIds, upsertQueues, upsertTeams } from '../../src/repositories/catalog';
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
  it('follow Intercom: new ones added, changed ones updated, removed ones marked (kept), a re-listed one unmarked', async () => {
    expect(await upsertTeams(t.db, 'c1', [team('1', 'A', ['7']), team('2', 'B', []), team('3', 'C', ['8'])], at(0))).toEqual({ added: ['1', '2', '3'], changed: [], removed: [] });
    expect(await upsertTeams(t.db, 'c1', [team('2', 'B2', ['7'], at(60)), team('3', 'C', ['8'], at(60)), team('4', 'D', [], at(60))], at(60))).toEqual({
      added: ['4'],
      changed: ['2'],
      removed: ['1'],
    });
    expect(await teams('c1')).toEqual([
      { workspace_id: 'c1', team_id: '1', name: 'A', admin_ids: ['7'], synced_at: at(0), removed_at: at(60) },
      { workspace_id: 'c1', team_id: '2', name: 'B2', admin_ids: ['7'], synced_at: at(60), removed_at: null },
      { workspace_id: 'c1', team_id: '3', name: 'C', admin_ids: ['8'], synced_at: at(0), removed_at: null },
      { workspace_id: 'c1', team_id: '4', name: 'D', admin_ids: [], synced_at: at(60), removed_at: null },
    ]);
    // Listed again: unmarked (and counted as added).
    expect((await upsertTeams(t.db, 'c1', [team('1', 'A', ['7'], at(90)), team('2', 'B2', ['7']), team('3', 'C', ['8']), team('4', 'D', [])], at(90))).added).toEqual(['1']);
    expect((await teams('c1')).map((r) => r.removed_at)).toEqual([null, null, null, null]);
  });

  it('a replay changes nothing', async () => {
    const list = [team('1', 'A', ['7', '8']), team('2', 'B', [])];
    await upsertTeams(t.db, 'c2', list);
    const before = await teams('c2');
    expect(await upsertTeams(t.db, 'c2', list.map((r) => ({ ...r, synced_at: at(600) })), at(600))).toEqual({ added: [], changed: [], removed: [] });
    expect(await teams('c2')).toEqual(before);
  });

  it('an empty list marks them all removed, and other workspaces are untouched', async () => {
    await upsertTeams(t.db, 'c3', [team('1', 'A', [])]);
    await upsertTeams(t.db, 'c3-other', [team('1', 'A', [])]);
    await upsertTeams(t.db, 'c3', [], at(5));
    expect((await teams('c3')).map((r) => r.removed_at)).toEqual([at(5)]);
    expect((await teams('c3-other')).map((r) => r.removed_at)).toEqual([null]);
    // Removed ones still count as known: reading the list again would not bring them back.
    expect([...(await knownCatalogIds(t.db, 'c3')).teamIds]).toEqual(['1']);
    expect([...(await knownCatalogIds(t.db, 'c3-other')).teamIds]).toEqual(['1']);
  });
});

describe('team moves from GET /admins', () => {
  it('rewrite only the teams the moved admins touch; unknown team ids are reported', async () => {
    await upsertTeams(t.db, 'm1', [team('1', 'A', ['7', '8']), team('2', 'B', ['9']), team('3', 'C', ['7', 'x'])]);
    const r = await applyTeamMoves(t.db, 'm1', [{ adminId: '7', before: ['1', '3'], after: ['2', '5'] }, { adminId: 'new', before: null, after: ['1'] }, { adminId: '8', before: ['1'], after: null }], at(30));
    expect(r).toEqual({ changed: ['1', '2', '3'], unknownTeamIds: ['5'] });
    expect((await teams('m1')).map((x) => [x.team_id, x.admin_ids])).toEqual([
      ['1', ['new']],
      ['2', ['7', '9']],
      ['3', ['x']], // 'x' (not moved) stays as GET /teams gave it
    ]);
    expect(await applyTeamMoves(t.db, 'm1', [], at(40))).toEqual({ changed: [], unknownTeamIds: [] });
  });
});

describe('queues (tags)', () => {
  it('follow Intercom the same way', async () => {
    await upsertQueues(t.db, 'q1', [tag('9', 'VIP'), tag('10', 'Bug')]);
    await upsertQueues(t.db, 'q1-other', [tag('9', 'VIP')]);
    expect(await upsertQueues(t.db, 'q1', [tag('10', 'Bugs', at(60)), tag('11', 'New', at(60))], at(60))).toEqual({ added: ['11'], changed: ['10'], removed: ['9'] });
    expect(await queues('q1')).toEqual([
      { workspace_id: 'q1', tag_id: '10', name: 'Bugs', synced_at: at(60), removed_at: null },
      { workspace_id: 'q1', tag_id: '11', name: 'New', synced_at: at(60), removed_at: null },
      { workspace_id: 'q1', tag_id: '9', name: 'VIP', synced_at: at(0), removed_at: at(60) },
    ]);
    const before = await queues('q1');
    await upsertQueues(t.db, 'q1', [tag('10', 'Bugs', at(120)), tag('11', 'New', at(120))], at(120));
    expect(await queues('q1')).toEqual(before);
    await upsertQueues(t.db, 'q1', [], at(180));
    expect((await queues('q1')).every((q) => q.removed_at !== null)).toBe(true);
    expect((await queues('q1-other')).map((q) => q.removed_at)).toEqual([null]);
  });
});
