import { errorListSchema } from '../../src/intercom/schemas';
import type { Simulator } from '../../testkit/simulator';
import { startSimulator } from '../../testkit/simulator';
import { call, FIXED_NOW } from './helpers';

let clock = FIXED_NOW;
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({
    now: () => clock,
    ratePerMinute: 60,
    workspaces: [
      { id: 'sim-ws-1', name: 'A', region: 'us', conversations: 5 },
      { id: 'other', name: 'B', region: 'au', conversations: 5 },
    ],
  });
});
afterAll(() => sim.stop());
beforeEach(() => {
  clock += 60_000;
  sim.setRatePerMinute(60);
  sim.resetStats();
});

describe('rate limits', () => {
  it('announces the budget on every response and refuses requests past it with 429', async () => {
    const windowEnd = (Math.floor(clock / 10_000) + 1) * 10_000;
    for (let i = 1; i <= 10; i++) {
      const res = await call(sim, i === 3 ? '/conversations/1' : '/admins');
      expect(res.status).toBe(i === 3 ? 404 : 200);
      expect(res.headers.get('x-ratelimit-limit')).toBe('10');
      expect(res.headers.get('x-ratelimit-remaining')).toBe(String(10 - i));
      expect(res.headers.get('x-ratelimit-reset')).toBe(String(Math.ceil(windowEnd / 1000)));
    }
    for (let i = 0; i < 3; i++) {
      const res = await call(sim, '/admins');
      expect(res.status).toBe(429);
      expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(errorListSchema.parse(res.json).errors[0]).toEqual({ code: 'rate_limit_exceeded', message: 'Exceeded rate limit of 10 in 10_seconds' });
    }
    // Another workspace has its own budget.
    expect((await call(sim, '/admins', { token: 'tok-other' })).status).toBe(200);
    // 429s did not eat into the next window's budget.
    clock = windowEnd;
    const next = await call(sim, '/admins');
    expect(next.status).toBe(200);
    expect(next.headers.get('x-ratelimit-remaining')).toBe('9');
    const s = sim.stats();
    expect(s.requests429).toBe(3);
    expect(s.byWorkspace['sim-ws-1']).toEqual({ requests: 14, requests429: 3, maxInWindow: 13, windows: 2 });
    expect(s.byWorkspace['other']).toEqual({ requests: 1, requests429: 0, maxInWindow: 1, windows: 1 });
  });

  it('does not rate limit the OAuth endpoints', async () => {
    sim.setRatePerMinute(6);
    expect((await call(sim, '/me')).status).toBe(200);
    expect((await call(sim, '/me')).status).toBe(429);
    const res = await call(sim, '/oauth?client_id=sim-client&redirect_uri=http%3A%2F%2Flocalhost%2Fcb', { token: null });
    expect(res.status).toBe(302);
    expect(sim.stats().byEndpoint['GET /oauth']).toBe(1);
  });

  it('scales the budget with the rate and the window length', async () => {
    sim.setRatePerMinute(1000);
    expect((await call(sim, '/tags')).headers.get('x-ratelimit-limit')).toBe('166');
    sim.setRatePerMinute(10_000);
    expect((await call(sim, '/tags')).headers.get('x-ratelimit-limit')).toBe('1666');
    const short = await startSimulator({ now: () => clock, ratePerMinute: 600, windowMs: 1000, workspaces: [{ id: 'sim-ws-1', name: 'A', region: 'us', conversations: 1 }] });
    try {
      const res = await call(short, '/tags');
      expect(res.headers.get('x-ratelimit-limit')).toBe('10');
      expect(res.headers.get('x-ratelimit-reset')).toBe(String(Math.ceil((Math.floor(clock / 1000) + 1) * 1000 / 1000)));
    } finally {
      await short.stop();
    }
  });
});
