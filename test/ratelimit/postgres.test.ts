import { createDb, type Db } from '../../src/db/connection';
import { PostgresRateLimiter } from '../../src/ratelimit/postgres';
import { waitFor } from '../../testkit/wait';
import { createTestDb, type TestDb } from '../helpers/db';
import { hammer, perWindow } from '../helpers/hammer';

describe('PostgresRateLimiter', () => {
  let t: TestDb;
  let db2: Db; // a second pool: the "other process"
  beforeAll(async () => {
    t = await createTestDb(12);
    db2 = createDb({ url: t.url, poolSize: 12 });
  });
  afterAll(async () => {
    await db2.destroy();
    await t.destroy();
  });

  it('two limiters on one workspace never grant more than the window budget together', async () => {
    const windowMs = 500;
    const limit = 30;
    const opts = { initialLimit: limit, windowMs, guardMs: 50 };
    const a = new PostgresRateLimiter(t.db, opts);
    const b = new PostgresRateLimiter(db2, opts);
    // The limiter's windows are epoch-aligned (window.test.ts): grants are counted per window from any start.
    const start = Math.ceil(Date.now() / windowMs) * windowMs;
    const windows = 5;
    const grants: number[] = [];
    await Promise.all([hammer(() => a.acquire('ws-share'), 12, start + windows * windowMs, grants), hammer(() => b.acquire('ws-share'), 12, start + windows * windowMs, grants)]);
    const counts = perWindow(grants, windowMs);
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(limit);
    // The claims in Postgres account for every grant, and none twice: the row never shows more used than its limit.
    const row = await t.db.selectFrom('rate_limits').select(['used', 'window_limit']).where('workspace_id', '=', 'ws-share').executeTakeFirstOrThrow();
    expect(row.used).toBeLessThanOrEqual(row.window_limit);
    // Both "processes" got a share.
    expect(a.stats().acquires).toBeGreaterThan(0);
    expect(b.stats().acquires).toBeGreaterThan(0);
  });

  it('learns the limit from headers and stores it for every process', async () => {
    const a = new PostgresRateLimiter(t.db, { initialLimit: 5 });
    const b = new PostgresRateLimiter(db2, { initialLimit: 5 });
    await a.acquire('ws-learn');
    const resetSec = Math.floor(Date.now() / 1000) + 5;
    await a.observe('ws-learn', { status: 200, limit: 77, remaining: 76, resetSec });
    const row = await t.db.selectFrom('rate_limits').selectAll().where('workspace_id', '=', 'ws-learn').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ window_limit: 77, limit_learned: true, window_end_ms: resetSec * 1000 });
    // The other process picks it up on its next claim.
    for (let i = 0; i < 10; i++) await b.acquire('ws-learn');
    const after = await t.db.selectFrom('rate_limits').select(['used', 'window_limit']).where('workspace_id', '=', 'ws-learn').executeTakeFirstOrThrow();
    expect(after.window_limit).toBe(77);
    expect(after.used).toBeGreaterThanOrEqual(11);
    // Observations that change nothing, or only raise `used`, cost no round trip of their own.
    const before = a.stats().records;
    await a.observe('ws-learn', { status: 200, limit: 77, remaining: 76, resetSec });
    await a.observe('ws-learn', { status: 200, limit: 77, remaining: 40, resetSec });
    expect(a.stats().records).toBe(before);
    await a.acquire('ws-learn');
    const raised = await t.db.selectFrom('rate_limits').select('used').where('workspace_id', '=', 'ws-learn').executeTakeFirstOrThrow();
    expect(raised.used).toBeGreaterThanOrEqual(38);
  });

  it('raises used when the server reports less remaining than we counted', async () => {
    const a = new PostgresRateLimiter(t.db, { initialLimit: 50, maxBatch: 1 });
    await a.acquire('ws-other');
    const row0 = await t.db.selectFrom('rate_limits').selectAll().where('workspace_id', '=', 'ws-other').executeTakeFirstOrThrow();
    await a.observe('ws-other', { status: 200, limit: 50, remaining: 10, resetSec: Number(row0.window_end_ms) / 1000 });
    await a.acquire('ws-other'); // the raise rides on the next claim
    const row = await t.db.selectFrom('rate_limits').select('used').where('workspace_id', '=', 'ws-other').executeTakeFirstOrThrow();
    expect(row.used).toBe(41);
  });

  it('a 429 blocks every process until the reset', async () => {
    const a = new PostgresRateLimiter(t.db, { initialLimit: 100 });
    const b = new PostgresRateLimiter(db2, { initialLimit: 100 });
    await a.acquire('ws-429');
    const resetSec = Math.floor(Date.now() / 1000) + 1;
    await a.observe('ws-429', { status: 429, limit: 100, remaining: 0, resetSec });
    // The other process's next grant comes no earlier than the reset Intercom announced.
    const grantedAt = await b.acquire('ws-429').then(() => Date.now());
    expect(grantedAt).toBeGreaterThanOrEqual(resetSec * 1000);
  });

  it('a waiting acquire honours the abort signal', async () => {
    const a = new PostgresRateLimiter(t.db, { initialLimit: 1, windowMs: 60_000 });
    await a.acquire('ws-abort');
    const ac = new AbortController();
    let rejected: unknown;
    const p = a.acquire('ws-abort', ac.signal).catch((e: unknown) => {
      rejected = e;
    });
    const reason = new Error('cancelled');
    ac.abort(reason);
    await p;
    await waitFor('the abort to reject the acquire', async () => rejected !== undefined, 5000, 5);
    expect(rejected).toBe(reason);
  });

  it('claims several tokens per Postgres round trip when asked to, and accounts for each exactly once', async () => {
    // A clock stopped mid-window: on a slow machine the real one could cross a window's end (tokens expire
    // unclaimed, the row's count restarts) and this test is about accounting, not about windows.
    const midWindow = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;
    const now = () => midWindow;
    const claim = async (maxBatch: number, ws: string): Promise<{ claims: number; used: number }> => {
      const a = new PostgresRateLimiter(t.db, { initialLimit: 1_000_000, windowMs: 60_000, maxBatch, now });
      const b = new PostgresRateLimiter(db2, { initialLimit: 1_000_000, windowMs: 60_000, maxBatch, now });
      // 200 acquires asked for at once from each "process".
      await Promise.all([...Array.from({ length: 200 }, () => a.acquire(ws)), ...Array.from({ length: 200 }, () => b.acquire(ws))]);
      const row = await t.db.selectFrom('rate_limits').select('used').where('workspace_id', '=', ws).executeTakeFirstOrThrow();
      return { claims: a.stats().claims + b.stats().claims, used: row.used };
    };
    const single = await claim(1, 'ws-batch-1');
    // The batch a 10,000/min workspace gets (5 % of 1,666 per window).
    const batched = await claim(83, 'ws-batch-n');
    expect(single.claims).toBe(400);
    expect(batched.claims).toBeLessThan(400);
    // Batched claims may reserve tokens not used yet, but never fewer than were granted.
    expect(single.used).toBe(400);
    expect(batched.used).toBeGreaterThanOrEqual(400);
  });
});
