import type { RateLimitObservation } from './limiter';

// The budget arithmetic shared by both limiters, as pure functions. The Postgres limiter's claim statement is the
// SQL twin of `take` (keep them in step); its observe path runs `observe` inside a row-locking transaction.

/** One workspace's budget for the current fixed window. Mirrors a `rate_limits` row. */
export interface WindowState {
  /** Requests allowed per window. */
  limit: number;
  /** Whether `limit` came from an X-RateLimit-Limit header (false: our conservative initial guess). */
  learned: boolean;
  windowMs: number;
  /** Epoch ms at which the current window ends (the next one starts). */
  windowEndMs: number;
  /** Requests granted (or known spent) in the current window. */
  used: number;
  /** Requests granted close to the window end, also charged to the next window: they may reach the server after it rolled over. */
  carry: number;
}

export interface WindowOptions {
  /** Grants this close to the window end are charged to the next window too. */
  guardMs: number;
  /** Requests kept in reserve below the learned limit. */
  headroom: number;
  /** A reset header this far beyond the current window still re-anchors our windows (clock rounding: resets are whole seconds). */
  anchorSlackMs: number;
  /** How far ahead a 429's reset may push the end of the current window. */
  maxPenaltyMs: number;
}

export const DEFAULT_WINDOW_OPTIONS: WindowOptions = { guardMs: 300, headroom: 0, anchorSlackMs: 1_000, maxPenaltyMs: 5 * 60_000 };

/** The options both limiters (in memory and Postgres) take for their windows. */
export interface WindowLimiterOptions extends Partial<WindowOptions> {
  /** Budget per window until the first X-RateLimit-Limit header. Default 40. */
  initialLimit?: number;
  /** Default 10 000 (Intercom's window). */
  windowMs?: number;
  now?: () => number;
}

export interface WindowSettings {
  initialLimit: number;
  windowMs: number;
  now: () => number;
  wopts: WindowOptions;
}

/** The limiters' options with every default filled in: one place, so the two limiters cannot drift apart. */
export function windowSettings(o: WindowLimiterOptions): WindowSettings {
  return {
    initialLimit: o.initialLimit ?? 40,
    windowMs: o.windowMs ?? 10_000,
    now: o.now ?? Date.now,
    wopts: {
      guardMs: o.guardMs ?? DEFAULT_WINDOW_OPTIONS.guardMs,
      headroom: o.headroom ?? DEFAULT_WINDOW_OPTIONS.headroom,
      anchorSlackMs: o.anchorSlackMs ?? DEFAULT_WINDOW_OPTIONS.anchorSlackMs,
      maxPenaltyMs: o.maxPenaltyMs ?? DEFAULT_WINDOW_OPTIONS.maxPenaltyMs,
    },
  };
}

/** End of the epoch-aligned window containing `nowMs` (our assumption until a reset header anchors the windows). */
export function epochWindowEnd(nowMs: number, windowMs: number): number {
  return Math.floor(nowMs / windowMs) * windowMs + windowMs;
}

export function initialWindow(nowMs: number, initialLimit: number, windowMs: number): WindowState {
  return { limit: initialLimit, learned: false, windowMs, windowEndMs: epochWindowEnd(nowMs, windowMs), used: 0, carry: 0 };
}

/** Moves to the window containing `nowMs` (windows follow each other every windowMs from the anchor). */
export function roll(s: WindowState, nowMs: number): WindowState {
  if (nowMs < s.windowEndMs) return s;
  const k = Math.floor((nowMs - s.windowEndMs) / s.windowMs) + 1;
  return { ...s, windowEndMs: s.windowEndMs + k * s.windowMs, used: k === 1 ? s.carry : 0, carry: 0 };
}

/** Grants up to `want` requests from the current window. */
export function take(s: WindowState, nowMs: number, want: number, guardMs: number): { state: WindowState; granted: number } {
  const r = roll(s, nowMs);
  const granted = Math.max(0, Math.min(want, r.limit - r.used));
  if (granted === 0) return { state: r, granted };
  const inGuard = r.windowEndMs - nowMs <= guardMs;
  return { state: { ...r, used: r.used + granted, carry: r.carry + (inGuard ? granted : 0) }, granted };
}

function validInt(n: number | undefined): n is number {
  return n !== undefined && Number.isFinite(n);
}

/**
 * Applies what a response said:
 * - X-RateLimit-Limit sets the budget (learned);
 * - X-RateLimit-Reset anchors our windows on the server's (a reset in the past describes a finished window: ignored);
 * - X-RateLimit-Remaining below what we believe means someone else spends the budget too: `used` rises to limit − remaining;
 * - a 429 exhausts the window until its reset; without a limit header it also marks the limit as not
 *   confirmed (`learned`, kept in rate_limits.limit_learned for operators).
 */
export function observe(s: WindowState, obs: RateLimitObservation, nowMs: number, opts: WindowOptions = DEFAULT_WINDOW_OPTIONS): WindowState {
  const r = roll(s, nowMs);
  let { limit, learned, windowEndMs, used } = r;
  const is429 = obs.status === 429;
  if (validInt(obs.limit) && obs.limit > 0) {
    limit = Math.max(1, obs.limit - opts.headroom);
    learned = true;
  } else if (is429) {
    learned = false;
  }
  let current = true;
  if (validInt(obs.resetSec) && obs.resetSec > 0) {
    const resetMs = obs.resetSec * 1000;
    const ahead = resetMs - nowMs;
    if (ahead <= 0) {
      current = false; // about a window that is already over
    } else if (resetMs !== windowEndMs) {
      if (ahead <= s.windowMs + opts.anchorSlackMs || (is429 && ahead <= opts.maxPenaltyMs)) {
        windowEndMs = resetMs; // re-anchor; keep `used` (conservative: our count overlaps the server's window)
      } else {
        current = false; // nonsense reset: ignore it
      }
    }
  }
  if (current) {
    // Remaining counts against the server's limit, which is ours plus the headroom we keep.
    if (validInt(obs.remaining)) used = Math.max(used, limit + opts.headroom - Math.max(0, obs.remaining));
    if (is429) used = Math.max(used, limit);
  }
  return { limit, learned, windowMs: s.windowMs, windowEndMs, used, carry: r.carry };
}

export function sameWindowState(a: WindowState, b: WindowState): boolean {
  return a.limit === b.limit && a.learned === b.learned && a.windowEndMs === b.windowEndMs && a.used === b.used && a.carry === b.carry && a.windowMs === b.windowMs;
}
