import { adminListSchema, conversationSchema, deletedConversationListSchema, searchResponseSchema, tagListSchema, teamListSchema } from '../../src/intercom/schemas';
import { firstResponse, isTruncated } from '../../src/mapping/firstResponse';
import { PART_CAP, startSimulator, type Simulator } from '../../testkit/simulator';
import { call, FIXED_NOW, search } from './helpers';
import { holdsFor, waitFor } from '../../testkit/wait';

// The simulator's knobs for what a workforce product must follow (retag, reassign, hire, remove,
// tags, teams, deletions, truncation shapes) and GET /conversations/deleted.

let clock = FIXED_NOW;
let sim: Simulator;
const V216 = { 'intercom-version': '2.16' };

beforeAll(async () => {
  sim = await startSimulator({ now: () => clock, ratePerMinute: 100_000, workspaces: [{ id: 'sim-ws-1', name: 'A', region: 'us', conversations: 120 }] });
});
afterAll(() => sim.stop());

const ws = () => sim.workspace('sim-ws-1');
const detail = async (id: string) => conversationSchema.parse((await call(sim, `/conversations/${id}`)).json);

describe('attribution knobs', () => {
  it('retag replaces the tags, reassign sets admin and team (or clears them); both bump updated_at', async () => {
    const id = ws().conversations()[5]!.id;
    const tag = ws().createTag('vip');
    clock += 5_000;
    ws().retag(id, [tag.id]);
    let c = await detail(id);
    expect(c.tags?.tags?.map((t) => t.id)).toEqual([tag.id]);
    expect(c.updated_at).toBe(Math.floor(clock / 1000));
    expect(ws().expected().find((e) => e.conversationId === id)?.tagIds).toEqual([tag.id]);
    const team = ws().createTeam('Nights');
    const admin = ws().admins()[3]!;
    clock += 5_000;
    ws().reassign(id, { adminId: admin.id, teamId: team.id });
    c = await detail(id);
    expect([c.admin_assignee_id, c.team_assignee_id]).toEqual([admin.id, team.id]);
    ws().reassign(id, { adminId: null, teamId: null });
    c = await detail(id);
    expect([c.admin_assignee_id ?? null, c.team_assignee_id ?? null]).toEqual([null, null]);
    expect(ws().expected().find((e) => e.conversationId === id)).toMatchObject({ assigneeAdminId: null, teamId: null });
    expect(() => ws().retag(id, ['no-such-tag'])).toThrow(/no tag/);
  });

  it('hire and removal show in GET /admins and GET /teams; tags and teams come and go', async () => {
    const team = ws().createTeam('Weekend');
    const hire = ws().hireAdmin({ name: 'Nina New', teamIds: [team.id] });
    let admins = adminListSchema.parse((await call(sim, '/admins')).json).admins;
    expect(admins.find((a) => a.id === hire.id)).toMatchObject({ name: 'Nina New', team_ids: [team.id] });
    let teams = teamListSchema.parse((await call(sim, '/teams')).json).teams;
    expect(teams.find((x) => x.id === team.id)?.admin_ids).toEqual([hire.id]);
    ws().removeAdmin(hire.id);
    admins = adminListSchema.parse((await call(sim, '/admins')).json).admins;
    expect(admins.map((a) => a.id)).not.toContain(hire.id);
    teams = teamListSchema.parse((await call(sim, '/teams')).json).teams;
    expect(teams.find((x) => x.id === team.id)?.admin_ids).toEqual([]);
    const tag = ws().createTag('temp');
    expect(tagListSchema.parse((await call(sim, '/tags')).json).data.map((x) => x.id)).toContain(tag.id);
    ws().deleteTag(tag.id);
    expect(tagListSchema.parse((await call(sim, '/tags')).json).data.map((x) => x.id)).not.toContain(tag.id);
  });
});

describe('deleted conversations', () => {
  it('a deleted conversation is a 404 and gone from search; GET /conversations/deleted lists it, newest first, by page', async () => {
    const ids = ws().conversations().slice(10, 15).map((c) => c.id);
    ids.forEach((id, i) => ws().deleteConversation(id, clock + i * 1000));
    expect((await call(sim, `/conversations/${ids[0]}`)).status).toBe(404);
    const all = searchResponseSchema.parse((await search(sim, { field: 'created_at', operator: '>', value: 0 }, { per_page: 150 })).json);
    expect(all.conversations.map((c) => c.id)).not.toContain(ids[0]);
    const page1 = await call(sim, '/conversations/deleted?per_page=2', { headers: V216 });
    const list = deletedConversationListSchema.parse(page1.json);
    expect(list.conversations.map((c) => c.id)).toEqual([ids[4], ids[3]]);
    expect(list.pages).toMatchObject({ page: 1, per_page: 2, total_pages: 3 });
    expect(list.pages?.next).toContain('page=2');
    const last = deletedConversationListSchema.parse((await call(sim, '/conversations/deleted?per_page=2&page=3', { headers: V216 })).json);
    expect(last.conversations.map((c) => c.id)).toEqual([ids[0]]);
    expect(last.pages?.next ?? null).toBeNull();
    const asc = deletedConversationListSchema.parse((await call(sim, '/conversations/deleted?order=asc&per_page=60', { headers: V216 })).json);
    expect(asc.conversations.map((c) => c.id)).toEqual(ids);
  });

  it('needs Intercom-Version 2.16 or newer and per_page at most 60; the availability knob turns it off', async () => {
    expect((await call(sim, '/conversations/deleted', { headers: { 'intercom-version': '2.14' } })).status).toBe(400);
    expect((await call(sim, '/conversations/deleted?per_page=61', { headers: V216 })).status).toBe(400);
    ws().setDeletedListingAvailable(false);
    const off = await call(sim, '/conversations/deleted', { headers: V216 });
    expect(off.status).toBe(400);
    expect(off.text).toContain('intercom_version_invalid');
    ws().setDeletedListingAvailable(true);
  });

  it('search can lag a deletion: still listed, but its detail is a 404', async () => {
    const id = ws().conversations()[20]!.id;
    ws().deleteConversation(id, undefined, { searchLagMs: 60_000 });
    const all = searchResponseSchema.parse((await search(sim, { field: 'created_at', operator: '>', value: 0 }, { per_page: 150 })).json);
    expect(all.conversations.map((c) => c.id)).toContain(id);
    expect((await call(sim, `/conversations/${id}`)).status).toBe(404);
    expect(ws().expected().map((e) => e.conversationId)).not.toContain(id);
  });
});

describe('truncation shapes', () => {
  it("total_count counts all parts ('all') or only those returned ('returned'); count_conversation_parts always counts all plus the source", async () => {
    const id = ws().conversations()[30]!.id;
    ws().addParts(id, PART_CAP + 20);
    const all = ws().allParts(id).length;
    let c = await detail(id);
    expect(c.conversation_parts.conversation_parts).toHaveLength(PART_CAP);
    expect(c.conversation_parts.total_count).toBe(all);
    expect(c.statistics?.count_conversation_parts).toBe(all + 1);
    expect(isTruncated(c)).toBe(true);
    ws().setPartsCountShape('returned');
    c = await detail(id);
    expect(c.conversation_parts.total_count).toBe(PART_CAP);
    expect(c.statistics?.count_conversation_parts).toBe(all + 1);
    expect(isTruncated(c)).toBe(true);
    expect(firstResponse(c).firstRespondedAt).toBe(ws().expected().find((e) => e.conversationId === id)?.firstRespondedAt ?? null);
    ws().setPartsCountShape('all');
  });
});

describe('live churn', () => {
  it('produces every kind of change when asked, and none by default', async () => {
    const w = ws();
    const snapshot = () => ({ admins: w.admins().length, tags: w.tags().length, deleted: w.deletedConversations().length });
    sim.startLive({ intervalMs: 5 });
    const before = snapshot();
    // No churn while live mode runs without it: no tags or deletions (away flips only), watched throughout.
    await holdsFor('no churn', async () => {
      expect({ ...snapshot(), admins: before.admins }).toEqual(before);
    }, 100, 10);
    sim.stopLive();
    expect({ ...snapshot(), admins: before.admins }).toEqual(before);
    expect(w.admins().length).toBe(before.admins);
    sim.startLive({ intervalMs: 5, churn: { hireAdmin: 1, createTag: 1, deleteConversation: 1, retag: 1, reassign: 1, truncate: 1 } });
    const deadline = Date.now() + 5_000;
    await waitFor('three deletions', async () => w.deletedConversations().length >= before.deleted + 3 || Date.now() >= deadline, 6_000, 10);
    sim.stopLive();
    const after = snapshot();
    expect(after.admins).toBeGreaterThan(before.admins);
    expect(after.tags).toBeGreaterThan(before.tags);
    expect(after.deleted).toBeGreaterThanOrEqual(before.deleted + 3);
    expect(w.expected().some((e) => e.partsTruncated)).toBe(true);
    expect(() => sim.startLive({ churn: { retag: 2 } })).toThrow(/\[0, 1\]/);
  });
});
