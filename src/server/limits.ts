/** What one client may cost the process: every bound the HTTP server enforces. */
export interface HttpLimits {
  /** Whole request (headers and body) must arrive within this. */
  requestTimeoutMs: number;
  /** Headers must arrive within this (a slow-header client is cut off). */
  headersTimeoutMs: number;
  /** An idle keep-alive socket is closed after this. */
  keepAliveTimeoutMs: number;
  /** A socket with no traffic at all is closed after this. */
  idleTimeoutMs: number;
  /** Requests served on one keep-alive socket before it is closed. */
  maxRequestsPerSocket: number;
  bodyLimitBytes: number;
}

export const DEFAULT_LIMITS: HttpLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 30_000,
  maxRequestsPerSocket: 100,
  bodyLimitBytes: 1_048_576,
};

/** How often Node looks for sockets past the header/request deadlines (its default is 30 s). */
export function checkingIntervalMs(l: HttpLimits): number {
  return Math.max(100, Math.min(1_000, Math.floor(l.headersTimeoutMs / 4)));
}
