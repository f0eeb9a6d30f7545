import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import type { SyncUpdatedResult, SyncWindowResult } from '../../activities/types';
import { createTokenCipher } from '../../src/crypto/tokenCipher';
import { createIntercomHttp, type IntercomHttp } from '../../src/intercom/client';
import { ClientProvider } from '../../src/intercom/clientProvider';
import { PostgresRateLimiter } from '../../src/ratelimit';
import { GatedRateLimiter, PostgresGate } from '../../src/ratelimit/gate';
import { saveCredentials } from '../../src/repositories/credentials';
import { upsertWorkspace } from '../../src/repositories/workspaces';
import { startSimulator, type Simulator } from '../../src/simulator';
import { createTestDb, type TestDb } from '../helpers/db';
import { normalizeExpected, storedTickets } from '../helpers/expectRows';

const WS = 'act-ws';

/** Every row of every table the sync writes, for "a second sync changes nothing". */
async function snapshot(t: TestDb): Promise<string> {
  const tables = ['tickets', 'ticket_status_events', 'ticket_queues', 'agents', 'agent_states', 'agent_state_events', 'teams', 'queues'];
  const parts: string[] = [];
  for (const table of tables) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)} order by 1, 2, 3`.execute(t.db);
    parts.push(`${table}:${JSON.stringify(rows.rows)}`);
  }
  return parts.join('\n');
}

describe('sync activities against the simulator', () => {
  let t: TestDb;
  let sim: Simulator;
  let http: IntercomHttp;
  let acts: ReturnType<typeof createActivities>;
  const env = () => new MockActivityEnvironment({ heartbeatTimeoutMs: 60_000 });

  beforeAll(async () => {
    [t, sim] = await Promise.all([createTestDb(), startSimulator({ seed: 5, ratePerMinute: 10_000, workspaces: [{ id: WS, name: 'Act Co', region: 'us', conversations: 400 }] })]);
    http = createIntercomHttp();
    const cipher = createTokenCipher(randomBytes(32).toString('base64'));
    const gate = new PostgresGate(t.db);
    const limiter = new GatedRateLimiter(gate, new PostgresRateLimiter(t.db));
    await upsertWorkspace(t.db, { id: WS, name: 'Act Co', region: 'us', status: 'Connected', connectedAt: new Date() });
    await saveCredentials(t.db, WS, cipher.encrypt(`tok-${WS}`, WS), cipher.keyId);
    acts = createActivities({ db: t.db, clients: new ClientProvider({ db: t.db, cipher, limiter, http, baseUrlOverride: sim.baseUrl }), gate, detailConcurrency: 8, flushRows: 50 });
  });
  afterAll(async () => {
    await http?.close();
    await sim?.stop();
    await t?.destroy();
  });

  const everything = { workspaceId: WS, fromSec: 0, toSec: Math.ceil(Date.now() / 1000) + 60, force: false, resume: null };

  it('yields exactly the rows the rules give, without a detail request for ignored conversations', async () => {
    const expected = normalizeExpected(sim.workspace(WS).expected());
    const ignored = sim.workspace(WS).conversations().length - expected.length;
    expect(ignored).toBeGreaterThan(0);
    const r: SyncWindowResult = await env().run(acts.syncConversationWindow, everything);
    // The catalog was empty: the first stored batch named teams and tags we lacked, so both were read once, at once.
    expect(sim.stats().byEndpoint['GET /teams']).toBe(1);
    expect(sim.stats().byEndpoint['GET /tags']).toBe(1);
    const queues = new Set((await t.db.selectFrom('queues').select('tag_id').where('workspace_id', '=', WS).execute()).map((q) => q.tag_id));
    const teams = new Set((await t.db.selectFrom('teams').select('team_id').where('workspace_id', '=', WS).execute()).map((q) => q.team_id));
    expect(expected.flatMap((e) => e.tagIds).filter((id) => !queues.has(id))).toEqual([]);
    expect(expected.flatMap((e) => (e.teamId ? [e.teamId] : [])).filter((id) => !teams.has(id))).toEqual([]);
    await env().run(acts.syncCatalog, { workspaceId: WS });
    expect(r).toMatchObject({ stored: expected.length, ignored, missing: 0 });
    // Attribution included: assignee, team, queues, first responder, source, priority.
    expect(await storedTickets(t.db, WS)).toEqual(expected);
    expect(expected.some((e) => e.assigneeAdminId === null) && expected.some((e) => e.assigneeAdminId !== null)).toBe(true);
    expect(expected.some((e) => e.tagIds.length === 0) && expected.some((e) => e.tagIds.length > 0)).toBe(true);
    expect(expected.some((e) => e.partsTruncated)).toBe(true);
    // One detail request per stored conversation, none for ignored ones, plus the search pages and the two catalog reads.
    expect(sim.stats().byEndpoint['GET /conversations/{id}']).toBe(expected.length);
    expect(r.requests).toBe(expected.length + r.pages + 2);
  });

  it('syncing again changes nothing and fetches no unchanged conversation', async () => {
    const before = await snapshot(t);
    sim.resetStats();
    const r: SyncWindowResult = await env().run(acts.syncConversationWindow, everything);
    await env().run(acts.syncCatalog, { workspaceId: WS });
    expect(await snapshot(t)).toBe(before);
    expect(r.stored).toBe(0);
    expect(sim.stats().byEndpoint['GET /conversations/{id}'] ?? 0).toBe(0);
  });

  it('a forced resync refetches but still changes nothing', async () => {
    const before = await snapshot(t);
    const r: SyncWindowResult = await env().run(acts.syncConversationWindow, { ...everything, force: true });
    expect(r.stored).toBeGreaterThan(0);
    expect(await snapshot(t)).toBe(before);
  });

  it('never stores message bodies or contacts (planted markers stay out of the database)', async () => {
    const markers = sim.workspace(WS).piiMarkers();
    expect(markers.length).toBeGreaterThan(0);
    const dump = await snapshot(t);
    expect(dump.length).toBeGreaterThan(10_000);
    for (const m of markers) expect(dump).not.toContain(m);
    // The markers really are in what Intercom sent.
    expect(JSON.stringify(sim.workspace(WS).conversations()[0])).toContain('PII-MARKER');
  });

  it('the default loop moves its watermark to the newest updated_at it saw', async () => {
    const since = Math.max(...sim.workspace(WS).expected().map((e) => e.updatedAt));
    const created = sim.workspace(WS).createConversation();
    const r: SyncUpdatedResult = await env().run(acts.syncUpdatedConversations, { workspaceId: WS, sinceSec: since });
    expect(r.cursorSec).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 5);
    const stored = await storedTickets(t.db, WS);
    const shouldStore = sim.workspace(WS).expected().some((e) => e.conversationId === created.id);
    expect(stored.some((s) => s.conversationId === created.id)).toBe(shouldStore);
  });

  it('a conversation whose answer keeps breaking the contract is recorded and passed over; a resync stores it once it is readable', async () => {
    const expected = normalizeExpected(sim.workspace(WS).expected());
    const victim = expected[Math.floor(expected.length / 2)]!.conversationId;
    await t.db.deleteFrom('ticket_status_events').where('workspace_id', '=', WS).where('conversation_id', '=', victim).execute();
    await t.db.deleteFrom('tickets').where('workspace_id', '=', WS).where('conversation_id', '=', victim).execute();
    sim.workspace(WS).setMalformed(victim, true);
    sim.resetStats();
    const r: SyncWindowResult = await env().run(acts.syncConversationWindow, everything);
    expect(r).toMatchObject({ stored: 0, failed: 1 });
    expect(sim.stats().conversationFetches[victim]).toBe(3); // asked three times, every answer broken…
    expect(sim.stats().byEndpoint['GET /conversations/{id}']).toBe(3); // …and nothing else fetched
    const errors = await t.db.selectFrom('sync_errors').selectAll().where('workspace_id', '=', WS).execute();
    expect(errors).toEqual([expect.objectContaining({ conversation_id: victim, attempts: 3 })]);
    expect(errors[0]!.problem).toContain('GET /conversations/{id}');
    expect(errors[0]!.problem).toContain('created_at');
    expect((await storedTickets(t.db, WS)).map((x) => x.conversationId)).not.toContain(victim);

    sim.workspace(WS).setMalformed(victim, false);
    const again: SyncWindowResult = await env().run(acts.syncConversationWindow, { ...everything, force: true });
    expect(again.failed).toBe(0);
    expect(await storedTickets(t.db, WS)).toEqual(expected);
    expect(await t.db.selectFrom('sync_errors').selectAll().where('workspace_id', '=', WS).execute()).toEqual([]);
  });
});
