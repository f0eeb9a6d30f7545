import { randomBytes } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import type { SyncWindowResult } from '../../activities/types';
import { createTokenCipher } from '../../src/crypto/tokenCipher';
import { createIntercomHttp, IntercomClient, type IntercomError, type IntercomHttp } from '../../src/intercom/client';
import { InMemoryRateLimiter } from '../../src/ratelimit/memory';
import { ClientProvider } from '../../src/intercom/clientProvider';
import { PostgresRateLimiter } from '../../src/ratelimit';
import { GatedRateLimiter, PostgresGate } from '../../src/ratelimit/gate';
import { saveCredentials } from '../../src/repositories/credentials';
import { upsertWorkspace } from '../../src/repositories/workspaces';
import { startSimulator, type Simulator } from '../../src/simulator';
import { createTestDb, type TestDb } from '../helpers/db';
import { normalizeExpected, storedTickets } from '../helpers/expectRows';

const WS = 'big-ws';

describe('a conversation whose detail is over the size cap', () => {
  let t: TestDb;
  let sim: Simulator;
  let http: IntercomHttp;
  let acts: ReturnType<typeof createActivities>;
  const env = () => new MockActivityEnvironment({ heartbeatTimeoutMs: 60_000 });

  beforeAll(async () => {
    [t, sim] = await Promise.all([createTestDb(), startSimulator({ seed: 8, ratePerMinute: 10_000, workspaces: [{ id: WS, name: 'Big Co', region: 'us', conversations: 120 }] })]);
    http = createIntercomHttp();
    const cipher = createTokenCipher(randomBytes(32).toString('base64'));
    const gate = new PostgresGate(t.db);
    const limiter = new GatedRateLimiter(gate, new PostgresRateLimiter(t.db));
    await upsertWorkspace(t.db, { id: WS, name: 'Big Co', region: 'us', status: 'Connected', connectedAt: new Date() });
    await saveCredentials(t.db, WS, cipher.encrypt(`tok-${WS}`, WS), cipher.keyId);
    acts = createActivities({ db: t.db, clients: new ClientProvider({ db: t.db, cipher, limiter, http, baseUrlOverride: sim.baseUrl }), gate, detailConcurrency: 8, flushRows: 50 });
  });
  afterAll(async () => {
    await http?.close();
    await sim?.stop();
    await t?.destroy();
  });

  const everything = { workspaceId: WS, fromSec: 0, toSec: Math.ceil(Date.now() / 1000) + 60, force: false, resume: null };

  it('is quarantined in sync_errors after one answer, never stored as it came, and the rest of the window is stored', async () => {
    const expected = normalizeExpected(sim.workspace(WS).expected());
    const victim = expected[Math.floor(expected.length / 2)]!.conversationId;
    sim.workspace(WS).setPoison(victim, 'oversized_subject', { oversizedChars: 10 * 1024 * 1024 }); // a 10 MB subject
    const r: SyncWindowResult = await env().run(acts.syncConversationWindow, everything);
    expect(r).toMatchObject({ stored: expected.length - 1, failed: 1 });
    expect(sim.stats().conversationFetches[victim]).toBe(1); // the same answer would come again: not asked twice
    const errors = await t.db.selectFrom('sync_errors').selectAll().where('workspace_id', '=', WS).execute();
    expect(errors).toEqual([expect.objectContaining({ conversation_id: victim, attempts: 1 })]);
    expect(errors[0]!.problem).toContain('GET /conversations/{id}: response too large');
    const stored = await storedTickets(t.db, WS);
    expect(stored.map((x) => x.conversationId)).not.toContain(victim);
    expect(stored).toEqual(expected.filter((e) => e.conversationId !== victim));

    sim.workspace(WS).setPoison(victim, null);
    const again: SyncWindowResult = await env().run(acts.syncConversationWindow, { ...everything, force: true });
    expect(again.failed).toBe(0);
    expect(await storedTickets(t.db, WS)).toEqual(expected);
    expect(await t.db.selectFrom('sync_errors').selectAll().where('workspace_id', '=', WS).execute()).toEqual([]);
  });

  it('a detail trickling in from the simulator (knob setTrickle) fails at the deadline, as a transient deadline_exceeded', async () => {
    const victim = sim.workspace(WS).conversations()[0]!.id;
    sim.workspace(WS).setTrickle(victim, 1000);
    try {
      const client = new IntercomClient({ workspaceId: WS, token: `tok-${WS}`, region: 'us', baseUrl: sim.baseUrl, http, limiter: new InMemoryRateLimiter({ initialLimit: 1000 }), timeoutMs: 1500, maxRetries: 0 });
      const err = await client.getConversation(victim).then(
        () => null,
        (e: unknown) => e as IntercomError,
      );
      expect(err).toMatchObject({ code: 'deadline_exceeded', retryable: true, endpoint: 'GET /conversations/{id}' });
    } finally {
      sim.workspace(WS).setTrickle(victim, 0);
    }
  }, 30_000);
});
