import type { Simulator } from '../../testkit/simulator';

export interface WindowCount {
  /** Epoch ms at which this rate-limit window started. */
  startMs: number;
  /** Every request of the workspace in the window (429s included), all endpoints. */
  requests: number;
  search: number;
  details: number;
  other: number;
  /** Simulator counters (since it started) at the end of the window. */
  cumRequests: number;
  cumSearch: number;
  cumDetails: number;
  /** Distinct conversations fetched successfully so far (simulator conversationFetches). */
  cumFetched: number;
}

interface Cumulative {
  requests: number;
  search: number;
  details: number;
  fetched: number;
}

/**
 * Per-window request counts of one workspace, read from the simulator's counters at each boundary of its
 * epoch-aligned 10-s rate-limit windows (the simulator and this sampler share one clock). A sample is taken
 * by a timer at the boundary, so a request arriving within the timer's lateness (≈1 ms) may land in the
 * previous window's count; sums over consecutive windows are exact up to their first and last boundary.
 * The byEndpoint split is the simulator's global one: use it with one workspace per simulator.
 */
export class WindowCounter {
  readonly windows: WindowCount[] = [];
  private timer: NodeJS.Timeout | null = null;
  private last: Cumulative | null = null;
  private lastBoundary = 0;

  constructor(
    private readonly sim: Simulator,
    private readonly workspaceId: string,
    private readonly windowMs = 10_000,
  ) {}

  private read(): Cumulative {
    const s = this.sim.stats();
    return {
      requests: s.byWorkspace[this.workspaceId]?.requests ?? 0,
      search: s.byEndpoint['POST /conversations/search'] ?? 0,
      details: s.byEndpoint['GET /conversations/{id}'] ?? 0,
      fetched: Object.keys(s.conversationFetches).length,
    };
  }

  start(): this {
    const now = Date.now();
    this.lastBoundary = Math.floor(now / this.windowMs) * this.windowMs;
    this.last = this.read();
    this.schedule();
    return this;
  }

  private schedule(): void {
    const next = this.lastBoundary + this.windowMs;
    this.timer = setTimeout(() => this.tick(next), Math.max(0, next - Date.now()));
  }

  private tick(boundary: number): void {
    const c = this.read();
    const prev = this.last ?? c;
    const requests = c.requests - prev.requests;
    const search = c.search - prev.search;
    const details = c.details - prev.details;
    this.windows.push({
      startMs: boundary - this.windowMs,
      requests,
      search,
      details,
      other: requests - search - details,
      cumRequests: c.requests,
      cumSearch: c.search,
      cumDetails: c.details,
      cumFetched: c.fetched,
    });
    this.last = c;
    this.lastBoundary = boundary;
    this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Windows lying entirely inside [fromMs, toMs]. The first window of the list may be partial (sampling started inside it). */
  fullWindowsWithin(fromMs: number, toMs: number): WindowCount[] {
    return this.windows.slice(1).filter((w) => w.startMs >= fromMs && w.startMs + this.windowMs <= toMs);
  }
}
