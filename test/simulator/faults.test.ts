import { adminListSchema, conversationSchema, errorListSchema, searchResponseSchema } from '../../src/intercom/schemas';
import type { Simulator } from '../../testkit/simulator';
import { startSimulator } from '../../testkit/simulator';
import { call, FIXED_NOW, search } from './helpers';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ now: () => FIXED_NOW, ratePerMinute: 100_000, workspaces: [{ id: 'sim-ws-1', name: 'A', region: 'us', conversations: 20 }] });
});
afterAll(() => sim.stop());
afterEach(() => {
  sim.setFaults({ serverErrorRate: 0, timeoutRate: 0, malformedRate: 0, timeoutMs: 30_000 });
  sim.setLatency(0);
});

describe('fault injection', () => {
  it('answers 5xx error lists, still with rate-limit headers', async () => {
    sim.setFaults({ serverErrorRate: 1 });
    const statuses = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const res = await call(sim, '/admins');
      statuses.add(res.status);
      expect(errorListSchema.safeParse(res.json).success).toBe(true);
      expect(res.headers.get('x-ratelimit-limit')).not.toBeNull();
    }
    expect([...statuses].every((s) => [500, 502, 503].includes(s))).toBe(true);
    expect(statuses.size).toBeGreaterThan(1);
  });

  it('sends 200s whose bodies break the contract', async () => {
    sim.setFaults({ malformedRate: 1 });
    const id = sim.workspace('sim-ws-1').conversations()[0]?.id ?? '';
    for (let i = 0; i < 10; i++) {
      const s = await search(sim, { field: 'created_at', operator: '>', value: 0 });
      expect(s.status).toBe(200);
      expect(searchResponseSchema.safeParse(s.json).success).toBe(false);
      const c = await call(sim, `/conversations/${id}`);
      expect(c.status).toBe(200);
      expect(conversationSchema.safeParse(c.json).success).toBe(false);
      const a = await call(sim, '/admins');
      expect(adminListSchema.safeParse(a.json).success).toBe(false);
    }
    expect(sim.stats().conversationFetches[id]).toBeUndefined();
  });

  it('holds timed-out requests, then answers 504', async () => {
    sim.setFaults({ timeoutRate: 1, timeoutMs: 150 });
    const started = Date.now();
    const res = await call(sim, '/admins');
    // Held for the configured time at least (a lower bound the simulator guarantees, not a measured speed).
    expect(Date.now() - started).toBeGreaterThanOrEqual(140); // 10 ms for the clocks of timers and Date.now
    expect(res.status).toBe(504);
  });

  it('lets a client abort a held request, and stop() does not wait for it', async () => {
    const other = await startSimulator({ workspaces: [{ id: 'sim-ws-1', name: 'A', region: 'us', conversations: 1 }], faults: { timeoutRate: 1, timeoutMs: 60_000 } });
    const aborter = new AbortController();
    const pending = call(other, '/admins', { signal: aborter.signal });
    const hung = call(other, '/teams').catch((e: unknown) => e);
    aborter.abort();
    await expect(pending).rejects.toThrow();
    await other.stop();
    // Had stop() waited for the held request, it would have been answered (504 after 60 s); its socket was closed instead.
    const answer = await hung;
    expect(answer).not.toHaveProperty('status');
    expect(String(answer)).toMatch(/fetch failed|terminated|closed/i);
  });

  it('adds latency with jitter', async () => {
    sim.setLatency(80, 40);
    const started = Date.now();
    const res = await call(sim, '/tags');
    expect(res.status).toBe(200);
    // Never answered before the configured latency (a guaranteed lower bound; no upper bound is asserted).
    expect(Date.now() - started).toBeGreaterThanOrEqual(75); // 5 ms for the clocks of timers and Date.now
  });

  it('rejects fault rates outside [0, 1]', () => {
    expect(() => sim.setFaults({ serverErrorRate: 2 })).toThrow();
  });
});
