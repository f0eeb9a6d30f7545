import { sleep } from './sleep';
import type { RateLimitObservation, RateLimiter } from './limiter';
import { initialWindow, observe, take, windowSettings, type WindowLimiterOptions, type WindowOptions, type WindowState } from './window';

export type InMemoryRateLimiterOptions = WindowLimiterOptions;

/** The same budget semantics as PostgresRateLimiter, for one process (unit tests, single-process tools). */
export class InMemoryRateLimiter implements RateLimiter {
  private readonly states = new Map<string, WindowState>();
  private readonly initialLimit: number;
  private readonly windowMs: number;
  private readonly wopts: WindowOptions;
  private readonly now: () => number;

  constructor(opts: InMemoryRateLimiterOptions = {}) {
    ({ initialLimit: this.initialLimit, windowMs: this.windowMs, now: this.now, wopts: this.wopts } = windowSettings(opts));
  }

  private get(workspaceId: string, nowMs: number): WindowState {
    return this.states.get(workspaceId) ?? initialWindow(nowMs, this.initialLimit, this.windowMs);
  }

  async acquire(workspaceId: string, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const nowMs = this.now();
      const { state, granted } = take(this.get(workspaceId, nowMs), nowMs, 1, this.wopts.guardMs);
      this.states.set(workspaceId, state);
      if (granted > 0) return;
      await sleep(Math.max(1, state.windowEndMs - nowMs), signal);
    }
  }

  async observe(workspaceId: string, obs: RateLimitObservation): Promise<void> {
    const nowMs = this.now();
    this.states.set(workspaceId, observe(this.get(workspaceId, nowMs), obs, nowMs, this.wopts));
  }

  /** The current window of a workspace (tests, diagnostics). */
  snapshot(workspaceId: string): WindowState | undefined {
    return this.states.get(workspaceId);
  }
}
