// Intercom's limit: a per-minute budget split evenly into fixed 10-second windows, per workspace.

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix seconds at which the current window ends. */
  resetSec: number;
  window: number;
}

interface WindowCount {
  window: number;
  admitted: number;
}

export class RateLimiter {
  private readonly counts = new Map<string, WindowCount>();

  constructor(
    private readonly now: () => number,
    private readonly windowMs: number,
    private ratePerMinute: number,
  ) {}

  setRatePerMinute(rate: number): void {
    this.ratePerMinute = rate;
  }

  /** Requests allowed per window: floor(rate/6) for 10-second windows. */
  budget(): number {
    return Math.floor((this.ratePerMinute * this.windowMs) / 60_000);
  }

  windowLabel(): string {
    return `${this.windowMs / 1000}_seconds`;
  }

  /** Counts a request against the workspace's window; requests over the budget are refused and not counted. */
  take(workspaceId: string): RateDecision {
    const now = this.now();
    const window = Math.floor(now / this.windowMs);
    let c = this.counts.get(workspaceId);
    if (c === undefined || c.window !== window) {
      c = { window, admitted: 0 };
      this.counts.set(workspaceId, c);
    }
    const limit = this.budget();
    const allowed = c.admitted < limit;
    if (allowed) c.admitted += 1;
    return { allowed, limit, remaining: Math.max(0, limit - c.admitted), resetSec: Math.ceil(((window + 1) * this.windowMs) / 1000), window };
  }
}
