import { caught } from '../../testkit/caught';
import { createDb, type Db } from '../../src/db/connection';
import { createIntercomHttp, inWindow, IntercomClient, windowQuery, type IntercomHttp } from '../../src/intercom/client';
import type { RateLimiter } from '../../src/ratelimit/limiter';
import { InMemoryRateLimiter } from '../../src/ratelimit/memory';
import { PostgresRateLimiter } from '../../src/ratelimit/postgres';
import { startSimulator, type Simulator } from '../../testkit/simulator';
import { createTestDb, type TestDb } from '../helpers/db';

const WS = 'ws-sim';
const FAST = 'ws-fast';

describe('IntercomClient against the simulator', () => {
  let sim: Simulator;
  let http: IntercomHttp;
  let t: TestDb;
  let db2: Db;
  let token = `tok-${WS}`;

  beforeAll(async () => {
    sim = await startSimulator({
      ratePerMinute: 10_000,
      windowMs: 5_000,
      workspaces: [
        { id: WS, name: 'Sim Co', region: 'eu', conversations: 320 },
        { id: FAST, name: 'Fast Co', region: 'us', conversations: 60 },
      ],
    });
    http = createIntercomHttp({ connectionsPerOrigin: 32 });
    t = await createTestDb(8);
    db2 = createDb({ url: t.url, poolSize: 8 });
  });
  afterAll(async () => {
    await http?.close();
    await sim?.stop();
    await db2?.destroy();
    await t?.destroy();
  });
  afterEach(() => sim.setFaults({ serverErrorRate: 0, timeoutRate: 0, malformedRate: 0 }));

  function client(over: Partial<ConstructorParameters<typeof IntercomClient>[0]> = {}, limiter: RateLimiter = new InMemoryRateLimiter({ windowMs: 5_000 })): IntercomClient {
    return new IntercomClient({ workspaceId: WS, token, region: 'eu', baseUrl: sim.baseUrl, http, limiter, backoff: { baseDelayMs: 5, maxDelayMs: 50 }, ...over });
  }

  it('reads /me and the directory', async () => {
    const c = client();
    const me = await c.me();
    expect(me.app.id_code).toBeTruthy();
    expect((await c.listAdmins()).length).toBeGreaterThan(0);
    await c.listTeams();
    await c.listTags();
    expect(c.requestsSent).toBe(4);
  });

  it('searchPages walks every page; windowQuery with inWindow selects exactly [from, to)', async () => {
    const c = client();
    const all = sim.workspace(WS).conversations();
    const seen: string[] = [];
    let pages = 0;
    for await (const { page } of c.searchPages({ field: 'updated_at', operator: '>', value: 0 })) {
      pages++;
      seen.push(...page.conversations.map((x) => x.id));
    }
    expect(pages).toBe(Math.ceil(all.length / 150));
    expect(new Set(seen)).toEqual(new Set(all.map((x) => x.id)));
    expect(seen).toHaveLength(all.length);

    const times = all.map((x) => x.updated_at).sort((a, b) => a - b);
    const from = times[Math.floor(times.length / 4)]!;
    const to = times[Math.floor((times.length * 3) / 4)]!;
    const expected = all.filter((x) => x.updated_at >= from && x.updated_at < to).map((x) => x.id);
    const got: string[] = [];
    const keep = inWindow('updated_at', from, to);
    for await (const { page } of c.searchPages(windowQuery('updated_at', from, to), { perPage: 50 })) got.push(...page.conversations.filter(keep).map((x) => x.id));
    expect(got.sort()).toEqual(expected.sort());
  });

  it('fetches a conversation with its parts; an unknown one is null', async () => {
    const c = client();
    const id = sim.workspace(WS).conversations()[0]!.id;
    const conv = await c.getConversation(id);
    expect(conv?.id).toBe(id);
    expect(conv?.conversation_parts.conversation_parts.length).toBeGreaterThanOrEqual(0);
    await expect(c.getConversation('999999999')).resolves.toBeNull();
  });

  it('a revoked token is unauthorized at once, and the token is nowhere in the error', async () => {
    const c = client();
    await c.me();
    sim.revokeToken(WS);
    const err = await caught(c.me());
    expect(err).toMatchObject({ code: 'unauthorized', status: 401, retryable: false });
    expect(c.requestsSent).toBe(2);
    for (const text of [String(err), err.stack ?? '', JSON.stringify(err)]) expect(text).not.toContain(token);
    token = sim.issueToken(WS); // the customer re-authorized
  });

  it('retries server errors and gives up with a retryable error; malformed bodies are contract violations', async () => {
    sim.setFaults({ serverErrorRate: 1 });
    const c = client({ maxRetries: 2 });
    const err = await caught(c.listTags());
    expect(err.code).toBe('server_error');
    expect(err.retryable).toBe(true);
    expect(c.requestsSent).toBe(3);

    sim.setFaults({ serverErrorRate: 0, malformedRate: 1 });
    const c2 = client({ maxRetries: 2 });
    const bad = await caught(c2.search({ query: { field: 'updated_at', operator: '>', value: 0 }, pagination: { per_page: 5 } }));
    expect(bad.code).toBe('contract_violation');
    expect(bad.retryable).toBe(false);
    expect(c2.requestsSent).toBe(1);
  });

  it('a response slower than timeoutMs is a retryable timeout', async () => {
    sim.setFaults({ timeoutRate: 1, timeoutMs: 5_000 });
    const c = client({ maxRetries: 1, timeoutMs: 300 });
    const err = await caught(c.listTags());
    expect(err).toMatchObject({ code: 'timeout', retryable: true, endpoint: 'GET /tags' });
    expect(c.requestsSent).toBe(2);
  });

  // Utilization at this tier is measured by `npm run bench -- --scenario backfill`; here, the limit holds.
  it('at 10,000/min two clients with their own Postgres limiters stay within the budget and get no 429', async () => {
    const windowMs = 5_000;
    const budget = Math.floor((10_000 * windowMs) / 60_000); // 833 per 5 s, the same rate as 1,666 per 10 s
    const perClient = 900; // together more than two budgets: the limit binds in several windows
    const ids = sim.workspace(FAST).conversations().map((x) => x.id);
    sim.resetStats();
    const run = async (db: Db): Promise<number> => {
      const limiter = new PostgresRateLimiter(db, { windowMs });
      const c = new IntercomClient({ workspaceId: FAST, token: `tok-${FAST}`, region: 'us', baseUrl: sim.baseUrl, http, limiter });
      let n = 0;
      let ok = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (n < perClient) {
            await c.getConversation(ids[n++ % ids.length]!);
            ok++;
          }
        }),
      );
      return ok;
    };
    const answered = await Promise.all([run(t.db), run(db2)]);
    const s = sim.stats().byWorkspace[FAST]!;
    expect(answered).toEqual([perClient, perClient]);
    expect(s.requests429).toBe(0);
    expect(s.requests).toBe(2 * perClient);
    expect(s.maxInWindow).toBeLessThanOrEqual(budget);
  });
});
