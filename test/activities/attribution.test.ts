import { waitFor } from '../../testkit/wait';
import { createActivities } from '../../activities';
import { CATALOG_REFRESH_MS } from '../../activities/catalog';
import type { PollAgentStatesResult, SyncDeletedResult, SyncUpdatedResult } from '../../activities/types';
import { verifyReport } from '../../src/cli/commands';
import { countTickets } from '../../src/repositories/tickets';
import { PART_CAP, type ExpectedTicket } from '../../testkit/simulator';
import { useSimulatorActivities } from '../helpers/activities';
import { normalizeExpected, storedTickets } from '../helpers/expectRows';

// Attribution, the catalog and deletions at the activity level: real Postgres, the simulator over HTTP.

const WS = 'attr-ws';

/** Intercom's updated_at has whole seconds: a change in the second of the last fetch would look unchanged. */
async function nextSecond(): Promise<void> {
  const s = Math.floor(Date.now() / 1000);
  await waitFor('the next second', async () => Math.floor(Date.now() / 1000) > s, 2_000);
}

describe('attribution, catalog and deletions against the simulator', () => {
  const ctx = useSimulatorActivities({ workspaceId: WS, name: 'Attr Co', seed: 11, conversations: 300, ratePerMinute: 20_000, connectedAt: new Date(Date.now() - 3600_000) });
  const ws = () => ctx.sim.workspace(WS);
  const stored = async (id: string) => (await storedTickets(ctx.db, WS)).find((x) => x.conversationId === id);
  const expectedOf = (id: string): ExpectedTicket | undefined => ws().expected().find((x) => x.conversationId === id);
  const since = () => Math.max(...ws().expected().map((e) => e.updatedAt)) - 1;
  const defaultRun = (): Promise<SyncUpdatedResult> => ctx.env().run(ctx.acts.syncUpdatedConversations, { workspaceId: WS, sinceSec: since() });

  beforeAll(async () => {
    await ctx.env().run(ctx.acts.syncCatalog, { workspaceId: WS });
    await ctx.env().run(ctx.acts.syncConversationWindow, ctx.everything());
  });

  it('stores each attribution column exactly for assigned and unassigned conversations', async () => {
    const expected = normalizeExpected(ws().expected());
    expect(await storedTickets(ctx.db, WS)).toEqual(expected);
    const assigned = expected.find((e) => e.assigneeAdminId !== null && e.teamId !== null && e.tagIds.length > 0 && e.firstResponderAdminId !== null);
    const unassigned = expected.find((e) => e.assigneeAdminId === null && e.teamId === null && e.tagIds.length === 0);
    if (!assigned || !unassigned) throw new Error('the simulated workspace lacks an assigned or an unassigned conversation');
    // Against Intercom's JSON itself, not only the oracle.
    const json = ws().conversation(assigned.conversationId)!;
    const row = await ctx.db.selectFrom('tickets').selectAll().where('workspace_id', '=', WS).where('conversation_id', '=', assigned.conversationId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      assignee_admin_id: String(json.admin_assignee_id),
      team_id: String(json.team_assignee_id),
      source_type: json.source.type,
      source_delivered_as: json.source.delivered_as,
      priority: json.priority,
      channel: 'chat',
      deleted_at: null,
    });
    expect((await stored(assigned.conversationId))?.tagIds).toEqual(json.tags.tags.map((x) => x.id).sort());
    expect(await stored(unassigned.conversationId)).toMatchObject({ assigneeAdminId: null, teamId: null, tagIds: [] });
  });

  it('follows a retag and a reassignment at the next fetch; a new tag and a new team enter the catalog at once', async () => {
    const e = normalizeExpected(ws().expected()).filter((x) => x.tagIds.length > 0 && x.assigneeAdminId !== null);
    const [x, y] = [e[0]!, e[1]!];
    const newTag = ws().createTag('escalations');
    const newTeam = ws().createTeam('Night shift');
    const admin = ws().admins().find((a) => a.id !== y.assigneeAdminId)!;
    const keep = x.tagIds[0]!;
    ctx.sim.resetStats();
    await nextSecond();
    ws().retag(x.conversationId, [keep, newTag.id]);
    ws().reassign(y.conversationId, { adminId: admin.id, teamId: newTeam.id });
    const r = await defaultRun();
    expect(r.stored).toBeGreaterThanOrEqual(2);
    expect(await stored(x.conversationId)).toMatchObject({ tagIds: [keep, newTag.id].sort() });
    expect(await stored(y.conversationId)).toMatchObject({ assigneeAdminId: admin.id, teamId: newTeam.id });
    expect(await ctx.db.selectFrom('queues').select(['name', 'removed_at']).where('workspace_id', '=', WS).where('tag_id', '=', newTag.id).executeTakeFirst()).toEqual({ name: 'escalations', removed_at: null });
    expect(await ctx.db.selectFrom('teams').select('name').where('workspace_id', '=', WS).where('team_id', '=', newTeam.id).executeTakeFirst()).toEqual({ name: 'Night shift' });
    expect(ctx.sim.stats().byEndpoint['GET /tags']).toBe(1);
    expect(ctx.sim.stats().byEndpoint['GET /teams']).toBe(1);

    // Every tag removed, and unassigned: nothing left.
    await nextSecond();
    ws().retag(x.conversationId, []);
    ws().reassign(x.conversationId, { adminId: null, teamId: null });
    await defaultRun();
    expect(await stored(x.conversationId)).toMatchObject({ tagIds: [], assigneeAdminId: null, teamId: null });
    const queues = await ctx.db.selectFrom('ticket_queues').selectAll().where('workspace_id', '=', WS).where('conversation_id', '=', x.conversationId).execute();
    expect(queues).toEqual([]);
    expect(await storedTickets(ctx.db, WS)).toEqual(normalizeExpected(ws().expected()));
  });

  it('marks a stored conversation deleted on a 404 and leaves it out of every count and of verify', async () => {
    const victim = normalizeExpected(ws().expected()).at(-1)!;
    const day = new Date(victim.createdAt * 1000).toISOString().slice(0, 10);
    const before = await countTickets(ctx.db, WS);
    ws().updateConversation(victim.conversationId);
    // Still listed by search for a while (index lag), but its detail is a 404.
    ws().deleteConversation(victim.conversationId, undefined, { searchLagMs: 120_000 });
    const r = await defaultRun();
    expect(r.missing).toBe(1);
    const row = await ctx.db.selectFrom('tickets').select('deleted_at').where('workspace_id', '=', WS).where('conversation_id', '=', victim.conversationId).executeTakeFirstOrThrow();
    expect(row.deleted_at).toBeInstanceOf(Date);
    expect(await countTickets(ctx.db, WS)).toBe(before - 1);
    expect(await stored(victim.conversationId)).toBeUndefined();
    expect(await storedTickets(ctx.db, WS)).toEqual(normalizeExpected(ws().expected()));
    const ageDays = Math.ceil((Date.now() - victim.createdAt * 1000) / 86_400_000) + 1;
    if (ageDays <= 60) {
      const report = await verifyReport(ctx.db, WS, ageDays);
      const all = ws().expected().filter((e) => new Date(e.createdAt * 1000).toISOString().slice(0, 10) === day).length;
      expect(report.text).toMatch(new RegExp(`${day}\\s+${all}\\b`));
    }
  });

  it('reads GET /conversations/deleted from a cursor: marks stored tickets, resumes an unfinished scan, costs one request when nothing is new', async () => {
    const ids = normalizeExpected(ws().expected()).slice(0, 75).map((e) => e.conversationId);
    const base = Math.floor(Date.now() / 1000) - 500;
    ids.forEach((id, i) => ws().deleteConversation(id, (base + i) * 1000));
    const first: SyncDeletedResult = await ctx.env().run(ctx.acts.syncDeletedConversations, { workspaceId: WS, cursor: null, maxPages: 1 });
    // Page 1 (60, newest first) also holds the conversation marked by the 404 above: not marked twice.
    expect(first).toMatchObject({ supported: true, pages: 1, marked: 59 });
    expect(first.cursor.scan).toEqual({ page: 2, topSec: expect.any(Number) });
    const rest: SyncDeletedResult = await ctx.env().run(ctx.acts.syncDeletedConversations, { workspaceId: WS, cursor: first.cursor });
    expect(rest.marked).toBe(16);
    expect(rest.cursor.scan).toBeNull();
    expect(rest.cursor.sinceSec).toBe(first.cursor.scan!.topSec);
    const marked = await ctx.db.selectFrom('tickets').select('conversation_id').where('workspace_id', '=', WS).where('deleted_at', 'is not', null).execute();
    expect(new Set(marked.map((m) => m.conversation_id))).toEqual(new Set([...ids, ...ws().deletedConversations().map((d) => d.id)]));
    expect(await storedTickets(ctx.db, WS)).toEqual(normalizeExpected(ws().expected()));

    ctx.sim.resetStats();
    const idle: SyncDeletedResult = await ctx.env().run(ctx.acts.syncDeletedConversations, { workspaceId: WS, cursor: rest.cursor });
    expect(idle).toMatchObject({ pages: 1, marked: 0, requests: 1 });
    expect(ctx.sim.stats().byEndpoint['GET /conversations/deleted']).toBe(1);

    const one = normalizeExpected(ws().expected())[0]!.conversationId;
    ws().deleteConversation(one);
    const next: SyncDeletedResult = await ctx.env().run(ctx.acts.syncDeletedConversations, { workspaceId: WS, cursor: idle.cursor });
    expect(next).toMatchObject({ marked: 1, pages: 1 });

    ws().setDeletedListingAvailable(false);
    try {
      const unsupported: SyncDeletedResult = await ctx.env().run(ctx.acts.syncDeletedConversations, { workspaceId: WS, cursor: next.cursor });
      expect(unsupported).toMatchObject({ supported: false, marked: 0, cursor: next.cursor });
    } finally {
      ws().setDeletedListingAvailable(true);
    }
  });

  it('notices truncation whichever count Intercom reports, and takes first_admin_reply_at then', async () => {
    // One without status events: the parts it loses to the cap hold none (stored events are kept when parts drop out).
    const small = normalizeExpected(ws().expected()).find((e) => !e.partsTruncated && e.firstRespondedAt !== null && e.statusEvents.length === 0)!;
    ws().setPartsCountShape('returned');
    try {
      await nextSecond();
      ws().addParts(small.conversationId, PART_CAP);
      await defaultRun();
      const grown = expectedOf(small.conversationId)!;
      expect(grown).toMatchObject({ partsTruncated: true, firstRespondedAt: small.firstRespondedAt });
      expect(ws().conversation(small.conversationId)!.conversation_parts.total_count).toBe(PART_CAP); // only what was returned
      expect(await stored(small.conversationId)).toEqual(grown);
      // Every truncated conversation, refetched with total_count counting only the parts returned.
      await ctx.env().run(ctx.acts.syncConversationWindow, { ...ctx.everything(), force: true });
      const expected = normalizeExpected(ws().expected());
      expect(expected.filter((e) => e.partsTruncated).length).toBeGreaterThan(1);
      expect(await storedTickets(ctx.db, WS)).toEqual(expected);
    } finally {
      ws().setPartsCountShape('all');
    }
    await ctx.env().run(ctx.acts.syncConversationWindow, { ...ctx.everything(), force: true });
    expect(await storedTickets(ctx.db, WS)).toEqual(normalizeExpected(ws().expected()));
  });

  it('puts a new admin in agents within one poll (and a new team they joined), and marks a removed one', async () => {
    const team = ws().createTeam('Weekend');
    const pollRun = () => ctx.env().run(ctx.acts.pollAgentStates, { workspaceId: WS, intervalMs: 100, maxDurationMs: 50 });
    await pollRun();
    const hire = ws().hireAdmin({ name: 'Hedy Hire', teamIds: [team.id] });
    const leaver = ws().admins()[1]!;
    ws().removeAdmin(leaver.id);
    const r = (await pollRun()) as PollAgentStatesResult;
    expect(r.polls).toBe(1);
    const agents = await ctx.db.selectFrom('agents').selectAll().where('workspace_id', '=', WS).execute();
    expect(agents.find((a) => a.admin_id === hire.id)).toMatchObject({ name: 'Hedy Hire', team_ids: [team.id], removed_at: null, first_seen_at: expect.any(Date) });
    expect(agents.find((a) => a.admin_id === leaver.id)?.removed_at).toBeInstanceOf(Date);
    expect(agents.filter((a) => a.removed_at === null).map((a) => a.admin_id).sort()).toEqual(ws().admins().map((a) => a.id).sort());
    const teams = await ctx.db.selectFrom('teams').select(['team_id', 'admin_ids']).where('workspace_id', '=', WS).execute();
    expect(teams.find((x) => x.team_id === team.id)?.admin_ids).toEqual([hire.id]);
    for (const x of teams) expect(x.admin_ids).not.toContain(leaver.id);
    const report = await verifyReport(ctx.db, WS, 14);
    expect(report.text).toContain('Hedy Hire');
    expect(report.text).toMatch(/1 removed/);
    expect(report.text).toContain('Contacts per day per queue');
    expect(report.text).toContain('Contacts per day per team');
  });

  it('applies a hire while a poller run is under way, at its next tick', async () => {
    const run = ctx.env().run(ctx.acts.pollAgentStates, { workspaceId: WS, intervalMs: 200, maxDurationMs: 4_000 });
    const hire = ws().hireAdmin({ name: 'Mid Run' });
    const row = await waitFor('the hire in agents', async () =>
      ctx.db.selectFrom('agents').select(['admin_id', 'removed_at']).where('workspace_id', '=', WS).where('admin_id', '=', hire.id).executeTakeFirst(),
    );
    expect(row.removed_at).toBeNull();
    const result = (await run) as PollAgentStatesResult;
    expect(result.directoryChanges).toBeGreaterThanOrEqual(1);
  });

  const refreshedAgo = (ms: number) => ctx.db.updateTable('catalog_refreshes').set({ refreshed_at: new Date(Date.now() - ms) }).where('workspace_id', '=', WS).execute();
  const reads = () => ({ teams: ctx.sim.stats().byEndpoint['GET /teams'] ?? 0, tags: ctx.sim.stats().byEndpoint['GET /tags'] ?? 0 });

  it('re-reads teams and tags when their last refresh is six hours old (CATALOG_REFRESH_MS), marking removed ones; not at five', async () => {
    expect(CATALOG_REFRESH_MS).toBe(6 * 3600_000);
    const gone = ws().tags()[0]!;
    ws().deleteTag(gone.id);
    const fresh = ws().createTag('late-night');
    ctx.sim.resetStats();
    const pollOnce = () => ctx.env().run(ctx.acts.pollAgentStates, { workspaceId: WS, intervalMs: 100, maxDurationMs: 50 });
    // Five hours old: the former hourly refresh would read both lists here, the six-hour one does not.
    await refreshedAgo(5 * 3600_000);
    await pollOnce();
    expect(reads()).toEqual({ teams: 0, tags: 0 });
    await refreshedAgo(CATALOG_REFRESH_MS + 60_000);
    await pollOnce();
    expect(reads()).toEqual({ teams: 1, tags: 1 });
    const queues = await ctx.db.selectFrom('queues').select(['tag_id', 'removed_at']).where('workspace_id', '=', WS).execute();
    expect(queues.find((q) => q.tag_id === gone.id)?.removed_at).toBeInstanceOf(Date);
    expect(queues.find((q) => q.tag_id === fresh.id)?.removed_at).toBeNull();
    await pollOnce();
    expect(reads()).toEqual({ teams: 1, tags: 1 });
  });

  it('a running poller re-reads each list once per period, never more often (period injected: 1 s)', async () => {
    const periodMs = 1_000;
    const short = createActivities({ ...ctx.deps, catalogRefreshMs: periodMs });
    await refreshedAgo(0);
    ctx.sim.resetStats();
    const started = Date.now();
    const r = (await ctx.env().run(short.pollAgentStates, { workspaceId: WS, intervalMs: 100, maxDurationMs: 3_500 })) as PollAgentStatesResult;
    const elapsed = Date.now() - started;
    expect(r.polls).toBeGreaterThan(3);
    const { teams, tags } = reads();
    expect(teams).toBe(tags);
    // Due a tenth of a period early at most (the slack), so never more than one read per 0.9 period.
    expect(tags).toBeGreaterThanOrEqual(2);
    expect(tags).toBeLessThanOrEqual(Math.floor(elapsed / (0.9 * periodMs)));
  });

  it('reads an unknown team or tag at once while the periodic refresh is hours away', async () => {
    await refreshedAgo(0);
    ctx.sim.resetStats();
    // A hire into a team created since the last read: GET /teams in the poll's own tick, not GET /tags.
    const team = ws().createTeam('Overnight');
    const hire = ws().hireAdmin({ name: 'Nico Night', teamIds: [team.id] });
    await ctx.env().run(ctx.acts.pollAgentStates, { workspaceId: WS, intervalMs: 100, maxDurationMs: 50 });
    expect(reads()).toEqual({ teams: 1, tags: 0 });
    expect(await ctx.db.selectFrom('teams').select(['name', 'admin_ids']).where('workspace_id', '=', WS).where('team_id', '=', team.id).executeTakeFirst()).toEqual({ name: 'Overnight', admin_ids: [hire.id] });
    // A ticket tagged with a tag created since: GET /tags in the sync run that stores it.
    const tag = ws().createTag('after-hours');
    const x = normalizeExpected(ws().expected()).find((e) => e.assigneeAdminId !== null)!;
    await nextSecond();
    ws().retag(x.conversationId, [tag.id]);
    await defaultRun();
    expect(reads()).toEqual({ teams: 1, tags: 1 });
    expect(await ctx.db.selectFrom('queues').select(['name', 'removed_at']).where('workspace_id', '=', WS).where('tag_id', '=', tag.id).executeTakeFirst()).toEqual({ name: 'after-hours', removed_at: null });
  });
});
