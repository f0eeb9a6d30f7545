import { caught } from '../../testkit/caught';
import { request } from 'undici';
import { createIntercomHttp, IntercomClient, type IntercomHttp } from '../../src/intercom/client';
import { InMemoryRateLimiter } from '../../src/ratelimit/memory';
import { BAD_TIMESTAMP_SEC, startSimulator, type Simulator } from '../../testkit/simulator';
import { startFaultProxy, type FaultProxy } from '../../scripts/bench/faultProxy';

// The chaos benchmark's figures are only as good as its proxy: these check that each fault is real HTTP
// behaviour the client sees, and that what the proxy counts is what happened.

const WS = 'ws-proxy';
const TOKEN = `tok-${WS}`;
const NONE = { serverError: 0, timeout: 0, malformedSearch: 0, malformedDetail: 0, malformedOther: 0 };

describe('fault proxy (chaos benchmark)', () => {
  let sim: Simulator;
  let http: IntercomHttp;
  const proxies: FaultProxy[] = [];
  const proxy = async (rates = NONE) => {
    const p = await startFaultProxy({ upstream: sim.baseUrl, seed: 1, rates, stallMaxMs: 10_000 });
    proxies.push(p);
    return p;
  };
  const client = (p: FaultProxy, opts: { timeoutMs?: number; maxRetries?: number } = {}) =>
    new IntercomClient({ workspaceId: WS, token: TOKEN, region: 'us', baseUrl: p.url, http, limiter: new InMemoryRateLimiter(), maxRetries: 0, ...opts });
  const get = (p: FaultProxy, path: string) => request(p.url + path, { headers: { authorization: `Bearer ${TOKEN}` } });

  beforeAll(async () => {
    sim = await startSimulator({ ratePerMinute: 100_000, workspaces: [{ id: WS, name: 'Proxy Co', region: 'us', conversations: 40 }] });
    http = createIntercomHttp();
  });
  afterAll(async () => {
    for (const p of proxies) await p.close();
    await http.close();
    await sim.stop();
  });

  const someIds = () =>
    sim
      .workspace(WS)
      .expected()
      .filter((e) => e.subject !== null)
      .map((e) => e.conversationId);

  it('serves each poison on every request and counts it', async () => {
    const p = await proxy();
    const [nul, stamp, broken, plain] = someIds();
    if (!nul || !stamp || !broken || !plain) throw new Error('the simulator has too few conversations');
    p.poison.set(nul, 'nul_subject');
    p.poison.set(stamp, 'bad_timestamp');
    p.poison.set(broken, 'malformed_detail');
    const c = client(p);
    expect((await c.getConversation(nul))?.source?.subject?.startsWith('\u0000')).toBe(true);
    expect((await c.getConversation(stamp))?.created_at).toBe(BAD_TIMESTAMP_SEC);
    for (let i = 0; i < 2; i++) expect((await caught(c.getConversation(broken))).code).toBe('contract_violation');
    expect(p.faults).toMatchObject({ poison_nul_subject: 1, poison_bad_timestamp: 1, poison_malformed_detail: 2 });

    // An unpoisoned detail fetched twice unchanged is one refetch; poisoned ones are left out when asked.
    await c.getConversation(plain);
    await c.getConversation(plain);
    expect(p.refetches(new Set([nul, stamp, broken]))).toBe(1);
  });

  it('answers a 429 burst without rate-limit headers, without reaching Intercom, then lets requests through', async () => {
    const p = await proxy();
    const before = sim.stats().requests;
    p.burst429(60_000);
    const res = await get(p, '/admins');
    await res.body.text();
    expect(res.statusCode).toBe(429);
    expect(Object.keys(res.headers).filter((h) => h.startsWith('x-ratelimit') || h === 'retry-after')).toEqual([]);
    expect(sim.stats().requests).toBe(before);
    expect((await caught(client(p).listAdmins())).code).toBe('rate_limited');

    const q = await proxy();
    const ok = await get(q, '/admins');
    await ok.body.text();
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['x-ratelimit-limit']).toBeDefined();
  });

  it('counts arrivals by endpoint, telling the default loop\'s search (updated_at) from a window\'s', async () => {
    const p = await proxy();
    p.setOutage(true);
    const c = client(p);
    expect((await caught(c.search({ query: { field: 'updated_at', operator: '>', value: 1 } }))).status).toBe(503);
    expect((await caught(c.search({ query: { field: 'created_at', operator: '>', value: 1 } }))).status).toBe(503);
    expect(p.arrivals.map((a) => a.endpoint)).toEqual(['search_updated', 'search']);
    expect(p.faults['outage']).toBe(2);
    expect(p.arrivalsBetween(p.arrivals[0]!.t, Date.now())).toHaveLength(1);
  });

  it('stalls a response until the client gives up (a timeout the client sees)', async () => {
    const p = await proxy({ ...NONE, timeout: 1 });
    const err = await caught(client(p, { timeoutMs: 300 }).listAdmins());
    expect(err.code).toBe('timeout');
    expect((p.faults['timeout_no_headers'] ?? 0) + (p.faults['timeout_mid_body'] ?? 0)).toBe(1);
  });

  it('breaks every response when asked to, and the client names it a contract violation or a network error', async () => {
    const p = await proxy({ ...NONE, malformedOther: 1 });
    for (let i = 0; i < 6; i++) {
      const err = await caught(client(p).listTeams());
      expect(['contract_violation', 'network_error']).toContain(err.code);
    }
    expect(p.faults['malformed_other']).toBe(6);
  });
});
