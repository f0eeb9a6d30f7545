/** What one Intercom response said about the rate limit (headers parsed; absent headers are undefined). */
export interface RateLimitObservation {
  status: number;
  /** X-RateLimit-Limit: requests allowed per window. */
  limit?: number;
  /** X-RateLimit-Remaining: requests left in the current window. */
  remaining?: number;
  /** X-RateLimit-Reset: Unix seconds at which the current window ends. */
  resetSec?: number;
}

/** A per-workspace request budget: `acquire` before every request, `observe` after every response. */
export interface RateLimiter {
  /** Resolves when a request may be sent now; waits (until the window ends) when the budget is spent. Rejects with `signal.reason` on abort. */
  acquire(workspaceId: string, signal?: AbortSignal): Promise<void>;
  observe(workspaceId: string, obs: RateLimitObservation): Promise<void>;
}
