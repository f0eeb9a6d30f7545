import { sql } from 'kysely';
import type { SyncUpdatedResult, SyncWindowResult } from '../../activities/types';
import type { Db } from '../../src/db/connection';
import { useSimulatorActivities } from '../helpers/activities';
import { normalizeExpected, storedTickets } from '../helpers/expectRows';

const WS = 'act-ws';

/** Every row of every table the sync writes, for "a second sync changes nothing". */
async function snapshot(db: Db): Promise<string> {
  const tables = ['tickets', 'ticket_status_events', 'ticket_queues', 'agents', 'agent_states', 'agent_state_events', 'teams', 'queues'];
  const parts: string[] = [];
  for (const table of tables) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)} order by 1, 2, 3`.execute(db);
    parts.push(`${table}:${JSON.stringify(rows.rows)}`);
  }
  return parts.join('\n');
}

describe('sync activities against the simulator', () => {
  const ctx = useSimulatorActivities({ workspaceId: WS, name: 'Act Co', seed: 5, conversations: 400 });

  it('yields exactly the rows the rules give, without a detail request for ignored conversations', async () => {
    const expected = normalizeExpected(ctx.sim.workspace(WS).expected());
    const ignored = ctx.sim.workspace(WS).conversations().length - expected.length;
    expect(ignored).toBeGreaterThan(0);
    const r: SyncWindowResult = await ctx.env().run(ctx.acts.syncConversationWindow, ctx.everything());
    // The catalog was empty: the first stored batch named teams and tags we lacked, so both were read once, at once.
    expect(ctx.sim.stats().byEndpoint['GET /teams']).toBe(1);
    expect(ctx.sim.stats().byEndpoint['GET /tags']).toBe(1);
    const queues = new Set((await ctx.db.selectFrom('queues').select('tag_id').where('workspace_id', '=', WS).execute()).map((q) => q.tag_id));
    const teams = new Set((await ctx.db.selectFrom('teams').select('team_id').where('workspace_id', '=', WS).execute()).map((q) => q.team_id));
    expect(expected.flatMap((e) => e.tagIds).filter((id) => !queues.has(id))).toEqual([]);
    expect(expected.flatMap((e) => (e.teamId ? [e.teamId] : [])).filter((id) => !teams.has(id))).toEqual([]);
    await ctx.env().run(ctx.acts.syncCatalog, { workspaceId: WS });
    expect(r).toMatchObject({ stored: expected.length, ignored, missing: 0 });
    // Attribution included: assignee, team, queues, first responder, source, priority.
    expect(await storedTickets(ctx.db, WS)).toEqual(expected);
    expect(expected.some((e) => e.assigneeAdminId === null) && expected.some((e) => e.assigneeAdminId !== null)).toBe(true);
    expect(expected.some((e) => e.tagIds.length === 0) && expected.some((e) => e.tagIds.length > 0)).toBe(true);
    expect(expected.some((e) => e.partsTruncated)).toBe(true);
    // One detail request per stored conversation, none for ignored ones, plus the search pages and the two catalog reads.
    expect(ctx.sim.stats().byEndpoint['GET /conversations/{id}']).toBe(expected.length);
    expect(r.requests).toBe(expected.length + r.pages + 2);
  });

  it('syncing again changes nothing and fetches no unchanged conversation', async () => {
    const before = await snapshot(ctx.db);
    ctx.sim.resetStats();
    const r: SyncWindowResult = await ctx.env().run(ctx.acts.syncConversationWindow, ctx.everything());
    await ctx.env().run(ctx.acts.syncCatalog, { workspaceId: WS });
    expect(await snapshot(ctx.db)).toBe(before);
    expect(r.stored).toBe(0);
    expect(ctx.sim.stats().byEndpoint['GET /conversations/{id}'] ?? 0).toBe(0);
  });

  it('a forced resync refetches but still changes nothing', async () => {
    const before = await snapshot(ctx.db);
    const r: SyncWindowResult = await ctx.env().run(ctx.acts.syncConversationWindow, { ...ctx.everything(), force: true });
    expect(r.stored).toBeGreaterThan(0);
    expect(await snapshot(ctx.db)).toBe(before);
  });

  it('never stores message bodies or contacts (planted markers stay out of the database)', async () => {
    const markers = ctx.sim.workspace(WS).piiMarkers();
    expect(markers.length).toBeGreaterThan(0);
    const dump = await snapshot(ctx.db);
    expect(dump.length).toBeGreaterThan(10_000);
    for (const m of markers) expect(dump).not.toContain(m);
    // The markers really are in what Intercom sent.
    expect(JSON.stringify(ctx.sim.workspace(WS).conversations()[0])).toContain('PII-MARKER');
  });

  it('the default loop moves its watermark to the newest updated_at it saw', async () => {
    const since = Math.max(...ctx.sim.workspace(WS).expected().map((e) => e.updatedAt));
    const created = ctx.sim.workspace(WS).createConversation();
    const r: SyncUpdatedResult = await ctx.env().run(ctx.acts.syncUpdatedConversations, { workspaceId: WS, sinceSec: since });
    expect(r.cursorSec).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 5);
    const stored = await storedTickets(ctx.db, WS);
    const shouldStore = ctx.sim.workspace(WS).expected().some((e) => e.conversationId === created.id);
    expect(stored.some((s) => s.conversationId === created.id)).toBe(shouldStore);
  });

  it('a conversation whose answer keeps breaking the contract is recorded and passed over; a resync stores it once it is readable', async () => {
    const expected = normalizeExpected(ctx.sim.workspace(WS).expected());
    const victim = expected[Math.floor(expected.length / 2)]!.conversationId;
    await ctx.db.deleteFrom('ticket_status_events').where('workspace_id', '=', WS).where('conversation_id', '=', victim).execute();
    await ctx.db.deleteFrom('tickets').where('workspace_id', '=', WS).where('conversation_id', '=', victim).execute();
    ctx.sim.workspace(WS).setMalformed(victim, true);
    ctx.sim.resetStats();
    const r: SyncWindowResult = await ctx.env().run(ctx.acts.syncConversationWindow, ctx.everything());
    expect(r).toMatchObject({ stored: 0, failed: 1 });
    expect(ctx.sim.stats().conversationFetches[victim]).toBe(3); // asked three times, every answer broken…
    expect(ctx.sim.stats().byEndpoint['GET /conversations/{id}']).toBe(3); // …and nothing else fetched
    const errors = await ctx.db.selectFrom('sync_errors').selectAll().where('workspace_id', '=', WS).execute();
    expect(errors).toEqual([expect.objectContaining({ conversation_id: victim, attempts: 3 })]);
    expect(errors[0]!.problem).toContain('GET /conversations/{id}');
    expect(errors[0]!.problem).toContain('created_at');
    expect((await storedTickets(ctx.db, WS)).map((x) => x.conversationId)).not.toContain(victim);

    ctx.sim.workspace(WS).setMalformed(victim, false);
    const again: SyncWindowResult = await ctx.env().run(ctx.acts.syncConversationWindow, { ...ctx.everything(), force: true });
    expect(again.failed).toBe(0);
    expect(await storedTickets(ctx.db, WS)).toEqual(expected);
    expect(await ctx.db.selectFrom('sync_errors').selectAll().where('workspace_id', '=', WS).execute()).toEqual([]);
  });
});
