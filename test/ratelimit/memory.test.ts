import { InMemoryRateLimiter } from '../../src/ratelimit/memory';
import { hammer, perWindow } from '../helpers/hammer';

describe('InMemoryRateLimiter', () => {
  it('never grants more than the budget in a window, however many ask at once', async () => {
    const windowMs = 200;
    const limiter = new InMemoryRateLimiter({ initialLimit: 15, windowMs, guardMs: 20 });
    // The limiter's windows are epoch-aligned (window.test.ts): grants are counted per window from any start.
    const start = Math.ceil(Date.now() / windowMs) * windowMs;
    const grants = await hammer(() => limiter.acquire('ws'), 20, start + 5 * windowMs);
    const counts = perWindow(grants, windowMs);
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(15);
    // Every window after the first was granted something: waiting acquirers are released when a window opens.
    expect(counts.size).toBeGreaterThan(1);
  });

  it('keeps workspaces apart', async () => {
    const limiter = new InMemoryRateLimiter({ initialLimit: 2, windowMs: 60_000 });
    await limiter.acquire('a');
    await limiter.acquire('a');
    await limiter.acquire('b');
    expect(limiter.snapshot('a')?.used).toBe(2);
    expect(limiter.snapshot('b')?.used).toBe(1);
  });

  it('a waiting acquire honours the abort signal', async () => {
    const limiter = new InMemoryRateLimiter({ initialLimit: 1, windowMs: 60_000 });
    await limiter.acquire('ws');
    const ac = new AbortController();
    const p = limiter.acquire('ws', ac.signal);
    const reason = new Error('cancelled');
    ac.abort(reason);
    await expect(p).rejects.toBe(reason);
    await expect(limiter.acquire('ws', ac.signal)).rejects.toBe(reason);
  });

  it('after a 429 waits for the reset', async () => {
    const limiter = new InMemoryRateLimiter({ initialLimit: 100, windowMs: 10_000 });
    await limiter.acquire('ws');
    const resetSec = Math.floor(Date.now() / 1000) + 1;
    await limiter.observe('ws', { status: 429, limit: 100, remaining: 0, resetSec });
    await limiter.acquire('ws');
    expect(Date.now()).toBeGreaterThanOrEqual(resetSec * 1000);
    expect(limiter.snapshot('ws')).toMatchObject({ windowEndMs: resetSec * 1000 + 10_000, used: 1 });
  });
});
