import { sql } from 'kysely';
import type { Db } from '../db/connection';
import { retryOnConnectionLoss } from '../db/errors';
import { sleep } from './sleep';
import type { RateLimitObservation, RateLimiter } from './limiter';
import { epochWindowEnd, initialWindow, observe, roll, sameWindowState, windowSettings, type WindowLimiterOptions, type WindowOptions, type WindowState } from './window';

export interface PostgresRateLimiterOptions extends WindowLimiterOptions {
  /** Most tokens one claim takes from the shared row. Default: 5 % of the window's limit (at least 1). */
  maxBatch?: number;
  /** A claim asks for the tokens this process is expected to need over this horizon (bounded by maxBatch). Default 100 ms. */
  batchHorizonMs?: number;
}

export interface PostgresRateLimiterStats {
  acquires: number;
  /** Round trips that claimed tokens (one UPDATE each). */
  claims: number;
  /** Observations that had to be written (limit learned, re-anchored, 429, someone else spending). */
  records: number;
}

interface Slot {
  /** Tokens claimed from the shared row and not yet handed out. */
  tokens: number;
  tokensValidUntil: number;
  /** Last state read from / written to the row; `used` is a lower bound of the row's. */
  cache: WindowState | undefined;
  /** A raise of `used` learned from X-RateLimit-Remaining, written by the next claim (no extra round trip). */
  minUsed: number;
  minUsedWindowEnd: number;
  claim: Promise<void> | null;
  record: Promise<void> | null;
  waiting: number;
  acquiresSinceClaim: number;
  lastClaimAt: number;
}

interface Row {
  window_limit: number;
  limit_learned: boolean;
  window_ms: number;
  window_end_ms: number | string;
  used: number;
  carry: number;
  last_grant: number;
}

function rowToState(r: Row): WindowState {
  return { limit: r.window_limit, learned: r.limit_learned, windowMs: r.window_ms, windowEndMs: Number(r.window_end_ms), used: r.used, carry: r.carry };
}

/**
 * Per-workspace request budget shared by every worker process through the `rate_limits` row.
 *
 * Hot path: a process claims a small batch of tokens with ONE statement (INSERT … ON CONFLICT DO UPDATE …
 * RETURNING, which also creates the row and rolls the window over) and hands them out locally; waiters sleep
 * until the window ends. Observations are checked against the local copy of the row and written (in a
 * row-locking transaction) only when they change something.
 */
export class PostgresRateLimiter implements RateLimiter {
  private readonly slots = new Map<string, Slot>();
  private readonly initialLimit: number;
  private readonly windowMs: number;
  private readonly wopts: WindowOptions;
  private readonly maxBatch: number | undefined;
  private readonly horizonMs: number;
  private readonly now: () => number;
  private readonly counters: PostgresRateLimiterStats = { acquires: 0, claims: 0, records: 0 };

  constructor(
    private readonly db: Db,
    opts: PostgresRateLimiterOptions = {},
  ) {
    ({ initialLimit: this.initialLimit, windowMs: this.windowMs, now: this.now, wopts: this.wopts } = windowSettings(opts));
    this.maxBatch = opts.maxBatch;
    this.horizonMs = opts.batchHorizonMs ?? 100;
  }

  stats(): PostgresRateLimiterStats {
    return { ...this.counters };
  }

  private slot(workspaceId: string): Slot {
    let s = this.slots.get(workspaceId);
    if (!s) {
      s = { tokens: 0, tokensValidUntil: 0, cache: undefined, minUsed: 0, minUsedWindowEnd: 0, claim: null, record: null, waiting: 0, acquiresSinceClaim: 0, lastClaimAt: 0 };
      this.slots.set(workspaceId, s);
    }
    return s;
  }

  async acquire(workspaceId: string, signal?: AbortSignal): Promise<void> {
    const slot = this.slot(workspaceId);
    slot.acquiresSinceClaim++;
    slot.waiting++;
    try {
      for (;;) {
        if (signal?.aborted) throw signal.reason;
        const nowMs = this.now();
        if (slot.tokens > 0) {
          if (nowMs < slot.tokensValidUntil) {
            slot.tokens--;
            this.counters.acquires++;
            return;
          }
          slot.tokens = 0; // claimed for a window (or a guard zone) that has passed
        }
        if (slot.claim) {
          await slot.claim;
          continue;
        }
        const c = slot.cache;
        if (c && nowMs < c.windowEndMs && c.used >= c.limit) {
          await sleep(Math.max(1, c.windowEndMs - nowMs), signal);
          continue;
        }
        slot.claim = this.claim(workspaceId, slot, nowMs).finally(() => {
          slot.claim = null;
        });
      }
    } finally {
      slot.waiting--;
    }
  }

  private async claim(workspaceId: string, slot: Slot, nowMs: number): Promise<void> {
    const limit = slot.cache?.limit ?? this.initialLimit;
    const maxBatch = Math.max(1, this.maxBatch ?? Math.floor(limit * 0.05));
    const elapsed = Math.max(1, nowMs - slot.lastClaimAt);
    const expected = Math.ceil((slot.acquiresSinceClaim * this.horizonMs) / elapsed);
    const want = Math.max(1, Math.min(maxBatch, Math.max(slot.waiting, expected)));
    slot.acquiresSinceClaim = 0;
    slot.lastClaimAt = nowMs;

    const w = this.windowMs;
    const guard = this.wopts.guardMs;
    const initEnd = epochWindowEnd(nowMs, w);
    const g0 = Math.min(want, this.initialLimit);
    const c0 = initEnd - nowMs <= guard ? g0 : 0;
    // SQL twin of window.ts `take` (roll, then grant), evaluated on the locked row.
    const now = sql`${nowMs}::bigint`;
    const rolled = sql`(r.window_end_ms <= ${now})`;
    const newEnd = sql`(case when ${rolled} then r.window_end_ms + r.window_ms * ((${now} - r.window_end_ms) / r.window_ms + 1) else r.window_end_ms end)`;
    const baseUsed = sql`(case when not ${rolled} then r.used when ${now} < r.window_end_ms + r.window_ms then r.carry else 0 end)`;
    const baseCarry = sql`(case when ${rolled} then 0 else r.carry end)`;
    const minUsed = slot.minUsedWindowEnd > nowMs ? slot.minUsed : 0;
    const effUsed = sql`greatest(${baseUsed}, case when ${newEnd} = ${slot.minUsedWindowEnd}::bigint then ${minUsed}::int else 0 end)`;
    const grant = sql`greatest(0, least(${want}::int, r.window_limit - ${effUsed}))`;
    // Retried on a fresh connection when the connection is lost: if the lost attempt had committed,
    // its grant is spent unused (fewer requests this window), never more than the budget.
    const res = await retryOnConnectionLoss(() => sql<Row>`
      insert into rate_limits as r (workspace_id, window_limit, limit_learned, window_ms, window_end_ms, used, carry, last_grant, updated_at)
      values (${workspaceId}, ${this.initialLimit}, false, ${w}, ${initEnd}, ${g0}, ${c0}, ${g0}, now())
      on conflict (workspace_id) do update set
        window_end_ms = ${newEnd},
        used = ${effUsed} + ${grant},
        carry = ${baseCarry} + case when ${newEnd} - ${now} <= ${guard} then ${grant} else 0 end,
        last_grant = ${grant},
        updated_at = now()
      returning window_limit, limit_learned, window_ms, window_end_ms, used, carry, last_grant`.execute(this.db));
    this.counters.claims++;
    const row = res.rows[0];
    if (!row) throw new Error(`rate limiter: claim for workspace ${workspaceId} returned no row`);
    const state = rowToState(row);
    slot.cache = state;
    if (row.last_grant > 0) {
      slot.tokens = row.last_grant;
      // Tokens claimed before the guard zone must not be spent inside it: those would not be charged to the next window.
      slot.tokensValidUntil = state.windowEndMs - nowMs <= guard ? state.windowEndMs : state.windowEndMs - guard;
    }
  }

  async observe(workspaceId: string, obs: RateLimitObservation): Promise<void> {
    const slot = this.slot(workspaceId);
    for (;;) {
      const nowMs = this.now();
      const cached = slot.cache ?? initialWindow(nowMs, this.initialLimit, this.windowMs);
      const current = roll(cached, nowMs);
      const next = observe(cached, obs, nowMs, this.wopts);
      if (sameWindowState(current, next)) return;
      if (sameWindowState(current, { ...next, used: current.used })) {
        // Only `used` rises (the server counted requests we did not): the next claim writes it.
        if (slot.minUsedWindowEnd !== next.windowEndMs) slot.minUsed = 0;
        slot.minUsed = Math.max(slot.minUsed, next.used);
        slot.minUsedWindowEnd = next.windowEndMs;
        slot.cache = next;
        return;
      }
      if (obs.status === 429 || next.windowEndMs !== current.windowEndMs) slot.tokens = 0;
      if (slot.record) {
        await slot.record; // another observation is being written: re-check against its result
        continue;
      }
      slot.record = this.record(workspaceId, slot, obs).finally(() => {
        slot.record = null;
      });
      await slot.record;
      return;
    }
  }

  private async record(workspaceId: string, slot: Slot, obs: RateLimitObservation): Promise<void> {
    // The cache takes the new state only once it is committed.
    // The transaction re-reads the locked row and applies the observation to it: running it again
    // after a lost connection gives the same row.
    slot.cache = await retryOnConnectionLoss(() => this.db.transaction().execute(async (trx) => {
      const nowMs = this.now();
      const init = initialWindow(nowMs, this.initialLimit, this.windowMs);
      await sql`
        insert into rate_limits (workspace_id, window_limit, limit_learned, window_ms, window_end_ms, used, carry, last_grant)
        values (${workspaceId}, ${init.limit}, false, ${init.windowMs}, ${init.windowEndMs}, 0, 0, 0)
        on conflict (workspace_id) do nothing`.execute(trx);
      const res = await sql<Row>`
        select window_limit, limit_learned, window_ms, window_end_ms, used, carry, last_grant
        from rate_limits where workspace_id = ${workspaceId} for update`.execute(trx);
      const row = res.rows[0];
      if (!row) throw new Error(`rate limiter: no rate_limits row for workspace ${workspaceId}`);
      const before = rowToState(row);
      const next = observe(before, obs, this.now(), this.wopts);
      if (!sameWindowState(before, next)) {
        await sql`
          update rate_limits set window_limit = ${next.limit}, limit_learned = ${next.learned}, window_end_ms = ${next.windowEndMs},
            used = ${next.used}, carry = ${next.carry}, updated_at = now()
          where workspace_id = ${workspaceId}`.execute(trx);
      }
      this.counters.records++;
      return next;
    }));
  }
}
