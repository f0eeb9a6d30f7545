import type { SimStats, SimWorkspaceStats } from './types';

interface WorkspaceCounter extends SimWorkspaceStats {
  currentWindow: number;
  inCurrentWindow: number;
}

/** Request counters for stats(). maxInWindow counts every request in a window, 429s included: it shows peak load. */
export class StatsCollector {
  private requests = 0;
  private requests429 = 0;
  private byEndpoint = new Map<string, number>();
  private byWorkspace = new Map<string, WorkspaceCounter>();
  private fetches = new Map<string, number>();
  /** Successful search answers per workspace and request body: a body seen twice is a page fetched again. */
  private searches = new Map<string, number>();

  /** Called when a request arrives; `window` is null for requests that are not rate limited. */
  record(endpoint: string, workspaceId: string | null, window: number | null, limited: boolean): void {
    this.requests += 1;
    if (limited) this.requests429 += 1;
    this.byEndpoint.set(endpoint, (this.byEndpoint.get(endpoint) ?? 0) + 1);
    if (workspaceId === null) return;
    let w = this.byWorkspace.get(workspaceId);
    if (w === undefined) {
      w = { requests: 0, requests429: 0, maxInWindow: 0, windows: 0, currentWindow: Number.NaN, inCurrentWindow: 0 };
      this.byWorkspace.set(workspaceId, w);
    }
    w.requests += 1;
    if (limited) w.requests429 += 1;
    if (window !== null) {
      if (window !== w.currentWindow) {
        w.currentWindow = window;
        w.inCurrentWindow = 0;
        w.windows += 1;
      }
      w.inCurrentWindow += 1;
      w.maxInWindow = Math.max(w.maxInWindow, w.inCurrentWindow);
    }
  }

  conversationFetched(id: string): void {
    this.fetches.set(id, (this.fetches.get(id) ?? 0) + 1);
  }

  searchServed(workspaceId: string, body: string): void {
    const key = `${workspaceId}\u0000${body}`;
    this.searches.set(key, (this.searches.get(key) ?? 0) + 1);
  }

  snapshot(): SimStats {
    const byWorkspace: Record<string, SimWorkspaceStats> = {};
    for (const [id, w] of this.byWorkspace) {
      byWorkspace[id] = { requests: w.requests, requests429: w.requests429, maxInWindow: w.maxInWindow, windows: w.windows };
    }
    return {
      requests: this.requests,
      requests429: this.requests429,
      byEndpoint: Object.fromEntries(this.byEndpoint),
      byWorkspace,
      conversationFetches: Object.fromEntries(this.fetches),
      searchPagesRepeated: [...this.searches.values()].reduce((n, c) => n + c - 1, 0),
    };
  }

  reset(): void {
    this.requests = 0;
    this.requests429 = 0;
    this.byEndpoint = new Map();
    this.byWorkspace = new Map();
    this.fetches = new Map();
    this.searches = new Map();
  }
}
