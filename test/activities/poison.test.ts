import { randomBytes } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import type { SyncUpdatedResult, SyncWindowResult } from '../../activities/types';
import { createTokenCipher } from '../../src/crypto/tokenCipher';
import { createIntercomHttp, type IntercomHttp } from '../../src/intercom/client';
import { ClientProvider } from '../../src/intercom/clientProvider';
import { SUBJECT_MAX_CHARS } from '../../src/mapping/clean';
import { PostgresRateLimiter } from '../../src/ratelimit';
import { GatedRateLimiter, PostgresGate } from '../../src/ratelimit/gate';
import { saveCredentials } from '../../src/repositories/credentials';
import { upsertWorkspace } from '../../src/repositories/workspaces';
import { startSimulator, type ExpectedTicket, type Simulator } from '../../src/simulator';
import { createTestDb, type TestDb } from '../helpers/db';
import { normalizeExpected, storedTickets } from '../helpers/expectRows';

const WS = 'poison-ws';

describe('a poisoned conversation (NUL or oversized subject, impossible timestamp) never stops a sync', () => {
  let t: TestDb;
  let sim: Simulator;
  let http: IntercomHttp;
  let acts: ReturnType<typeof createActivities>;
  const env = () => new MockActivityEnvironment({ heartbeatTimeoutMs: 60_000 });
  const errors = () => t.db.selectFrom('sync_errors').select(['conversation_id', 'problem']).where('workspace_id', '=', WS).orderBy('conversation_id').execute();

  beforeAll(async () => {
    [t, sim] = await Promise.all([createTestDb(), startSimulator({ seed: 9, ratePerMinute: 10_000, workspaces: [{ id: WS, name: 'Poison Co', region: 'us', conversations: 300 }] })]);
    http = createIntercomHttp();
    const cipher = createTokenCipher(randomBytes(32).toString('base64'));
    const gate = new PostgresGate(t.db);
    const limiter = new GatedRateLimiter(gate, new PostgresRateLimiter(t.db));
    await upsertWorkspace(t.db, { id: WS, name: 'Poison Co', region: 'us', status: 'Connected', connectedAt: new Date() });
    await saveCredentials(t.db, WS, cipher.encrypt(`tok-${WS}`, WS), cipher.keyId);
    acts = createActivities({ db: t.db, clients: new ClientProvider({ db: t.db, cipher, limiter, http, baseUrlOverride: sim.baseUrl }), gate, detailConcurrency: 8, flushRows: 50 });
  });
  afterAll(async () => {
    await http?.close();
    await sim?.stop();
    await t?.destroy();
  });

  const everything = () => ({ workspaceId: WS, fromSec: 0, toSec: Math.ceil(Date.now() / 1000) + 60, force: false, resume: null });

  it('a window stores the NUL subject cleaned and the oversized one capped, quarantines the bad timestamp with its reason, and finishes', async () => {
    const ws = sim.workspace(WS);
    const expected = normalizeExpected(ws.expected());
    const candidates = expected.filter((e) => e.subject !== null && e.subject.length < 200 && !e.partsTruncated);
    const nul = candidates[3]!;
    const big = candidates[Math.floor(candidates.length / 2)]!;
    const late = candidates[candidates.length - 4]!;
    ws.setPoison(nul.conversationId, 'nul_subject');
    ws.setPoison(big.conversationId, 'oversized_subject');
    ws.setPoison(late.conversationId, 'bad_timestamp');
    expect(ws.poisoned()).toEqual(new Map([[nul.conversationId, 'nul_subject'], [big.conversationId, 'oversized_subject'], [late.conversationId, 'bad_timestamp']]));

    const r: SyncWindowResult = await env().run(acts.syncConversationWindow, everything());
    expect(r).toMatchObject({ stored: expected.length - 1, failed: 1 });

    const stored = await storedTickets(t.db, WS);
    const storedBig = stored.find((s) => s.conversationId === big.conversationId);
    expect(storedBig?.subject).toHaveLength(SUBJECT_MAX_CHARS);
    expect(storedBig?.subject?.startsWith(`${big.subject} xxx`)).toBe(true);
    // Every other row is exactly the oracle's, the NUL subject included (stored without its NULs).
    const rest = (rows: ExpectedTicket[]) => rows.filter((x) => x.conversationId !== big.conversationId);
    expect(rest(stored)).toEqual(rest(expected.filter((e) => e.conversationId !== late.conversationId)));
    expect(stored.find((s) => s.conversationId === nul.conversationId)?.subject).toBe(nul.subject);

    const recorded = await errors();
    expect(recorded.map((e) => e.conversation_id)).toEqual([late.conversationId]);
    expect(recorded[0]?.problem).toMatch(/created_at/);
    expect(recorded[0]?.problem).toMatch(/out of any representable range/);
  });

  it('a sync after the record is fixed stores it and forgets the failure', async () => {
    const ws = sim.workspace(WS);
    const [late] = [...ws.poisoned()].find(([, kind]) => kind === 'bad_timestamp') ?? [];
    ws.setPoison(late as string, null);
    const r: SyncWindowResult = await env().run(acts.syncConversationWindow, everything());
    expect(r).toMatchObject({ stored: 1, failed: 0 });
    expect(await errors()).toEqual([]);
  });

  it('the default loop passes a poisoned update over, stores the others, and moves its watermark', async () => {
    const ws = sim.workspace(WS);
    const since = Math.max(...ws.expected().map((e) => e.updatedAt));
    // Conversations created now; only those with a contact reply are synced (others are ignored).
    const create = () => {
      for (;;) {
        const c = ws.createConversation();
        if (ws.expected().some((e) => e.conversationId === c.id)) return c;
      }
    };
    // A conversation created while the rate is 1 is poisoned (with a kind drawn at random): the live-mode knob.
    ws.setPoisonRate(1);
    const poisoned = create();
    ws.setPoisonRate(0);
    expect(ws.poisoned().has(poisoned.id)).toBe(true);
    ws.setPoison(poisoned.id, 'bad_timestamp');
    const fine = create();
    expect(ws.poisoned().has(fine.id)).toBe(false);

    const r: SyncUpdatedResult = await env().run(acts.syncUpdatedConversations, { workspaceId: WS, sinceSec: since });
    expect(r.cursorSec).toBeGreaterThanOrEqual(fine.updated_at);
    const storedIds = new Set((await storedTickets(t.db, WS)).map((s) => s.conversationId));
    expect(storedIds.has(fine.id)).toBe(true);
    expect(storedIds.has(poisoned.id)).toBe(false);
    expect((await errors()).map((e) => e.conversation_id)).toEqual([poisoned.id]);
    expect(r.failed).toBe(1);
  });
});
