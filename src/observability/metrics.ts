import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../db/connection';
import { workspaceSnapshot, type WorkspaceSnapshot } from './snapshot';

/** What the Intercom client reports per HTTP exchange (endpoint is a bounded template, never a URL). */
export interface RequestMetrics {
  request(endpoint: string, status: number | string): void;
}

/** What the activities report. */
export interface SyncMetrics {
  rowsWritten(table: string, n: number): void;
  syncError(kind: string): void;
  defaultRunSucceeded(workspaceId: string): void;
  agentPollSucceeded(workspaceId: string): void;
  backfillCounted(workspaceId: string, total: number): void;
  backfillProcessed(workspaceId: string, n: number): void;
  activityFailed(activity: string): void;
}

/** What the webhook endpoint reports (topic groups and reasons are small fixed sets). */
export interface WebhookMetrics {
  webhookReceived(kind: 'conversation' | 'admin' | 'uninstall' | 'other'): void;
  webhookRejected(reason: 'missing_signature' | 'bad_signature' | 'malformed' | 'forged_uninstall' | 'too_large'): void;
}

export interface Metrics extends RequestMetrics, SyncMetrics, WebhookMetrics {
  registry: Registry;
}

export interface MetricsOptions {
  /** Per-workspace gauges (budget, gate, stored) are read from Postgres at scrape time when given. */
  db?: Db;
  /** Node's process metrics (heap, event loop lag). Default true. */
  processMetrics?: boolean;
  now?: () => number;
}

const P = 'intercom_sync_';

/**
 * One registry per process, created at start-up and handed to the client and the activities
 * through their deps. Label cardinality stays bounded: endpoint templates, status codes, table
 * names and error kinds are small fixed sets; workspace_id appears only on the per-workspace gauges.
 * The per-workspace gauges built from Postgres are correct whatever worker did the work; the lags
 * and backfill percent are this process's view (take min/max across instances, see the README).
 */
export function createMetrics(o: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const now = o.now ?? Date.now;
  if (o.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: P });

  const requests = new Counter({ name: `${P}intercom_requests_total`, help: 'Intercom HTTP requests by endpoint template and status (or error code when no response came)', labelNames: ['endpoint', 'status'], registers: [registry] });
  const rateLimited = new Counter({ name: `${P}intercom_rate_limited_total`, help: 'Intercom 429 responses by endpoint template', labelNames: ['endpoint'], registers: [registry] });
  const rows = new Counter({ name: `${P}rows_written_total`, help: 'Rows upserted, by table', labelNames: ['table'], registers: [registry] });
  const syncErrors = new Counter({ name: `${P}sync_errors_total`, help: 'Sync failures: conversations passed over (contract_violation) and failed activity attempts (activity)', labelNames: ['kind'], registers: [registry] });
  const activityFailures = new Counter({ name: `${P}activity_failures_total`, help: 'Failed activity attempts by activity type', labelNames: ['activity'], registers: [registry] });
  const webhooksReceived = new Counter({ name: `${P}webhooks_received_total`, help: 'Intercom webhooks accepted (signature valid), by topic group', labelNames: ['kind'], registers: [registry] });
  const webhooksRejected = new Counter({ name: `${P}webhooks_rejected_total`, help: 'Intercom webhooks rejected, by reason', labelNames: ['reason'], registers: [registry] });

  // Process-local views, read at scrape time.
  const lastDefaultRun = new Map<string, number>();
  const lastAgentPoll = new Map<string, number>();
  const backfill = new Map<string, { total: number; processed: number }>();
  const lagGauge = (name: string, help: string, source: Map<string, number>) =>
    new Gauge({
      name,
      help,
      labelNames: ['workspace_id'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [ws, at] of source) this.set({ workspace_id: ws }, Math.max(0, (now() - at) / 1000));
      },
    });
  lagGauge(`${P}default_loop_lag_seconds`, 'Seconds since the last successful default-loop run of the workspace (this process)', lastDefaultRun);
  // With Postgres the agent-poll lag is read from workspaces.agents_polled_at (every worker's polls).
  if (!o.db) lagGauge(`${P}agent_poll_lag_seconds`, 'Seconds since the last successful agent-state poll of the workspace (this process)', lastAgentPoll);
  new Gauge({
    name: `${P}backfill_percent`,
    help: 'Backfill progress: conversations processed / conversations counted at the backfill start (this process)',
    labelNames: ['workspace_id'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [ws, b] of backfill) if (b.total > 0) this.set({ workspace_id: ws }, Math.min(100, Math.floor((1000 * b.processed) / b.total) / 10));
    },
  });

  if (o.db) registerWorkspaceGauges(registry, o.db, now);

  return {
    registry,
    request(endpoint, status) {
      requests.inc({ endpoint, status: String(status) });
      if (status === 429) rateLimited.inc({ endpoint });
    },
    rowsWritten: (table, n) => rows.inc({ table }, n),
    syncError: (kind) => syncErrors.inc({ kind }),
    activityFailed(activity) {
      activityFailures.inc({ activity });
      syncErrors.inc({ kind: 'activity' });
    },
    defaultRunSucceeded: (ws) => void lastDefaultRun.set(ws, now()),
    agentPollSucceeded: (ws) => void lastAgentPoll.set(ws, now()),
    backfillCounted: (ws, total) => void backfill.set(ws, { total, processed: 0 }),
    backfillProcessed(ws, n) {
      const b = backfill.get(ws);
      if (b) b.processed += n;
    },
    webhookReceived: (kind) => webhooksReceived.inc({ kind }),
    webhookRejected: (reason) => webhooksRejected.inc({ reason }),
  };
}

/** Gauges computed from Postgres at scrape time: one query per scrape (shared by the gauges), nothing between scrapes. */
function registerWorkspaceGauges(registry: Registry, db: Db, now: () => number): void {
  let pending: { at: number; snapshot: Promise<WorkspaceSnapshot | null> } | null = null;
  // The gauges of one scrape share one snapshot.
  const snapshot = () => {
    if (!pending || now() - pending.at > 1000) pending = { at: now(), snapshot: workspaceSnapshot(db, now()).catch(() => null) };
    return pending.snapshot;
  };
  const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge, s: WorkspaceSnapshot) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const s = await snapshot();
        this.reset();
        if (s) fill(this, s);
      },
    });
  gauge(`${P}rate_budget_used`, 'Requests granted in the workspace\'s current rate-limit window (all processes)', ['workspace_id'], (g, s) => {
    for (const r of s.rateLimits) g.set({ workspace_id: r.workspaceId }, r.used);
  });
  gauge(`${P}rate_budget_limit`, 'Requests allowed per rate-limit window for the workspace', ['workspace_id'], (g, s) => {
    for (const r of s.rateLimits) g.set({ workspace_id: r.workspaceId }, r.limit);
  });
  gauge(`${P}workspace_gate`, '1 for the workspace\'s current gate state (open, paused, needs_reauthorization, disconnected)', ['workspace_id', 'state'], (g, s) => {
    for (const w of s.gates) g.set({ workspace_id: w.workspaceId, state: w.state }, 1);
  });
  gauge(`${P}agent_poll_lag_seconds`, 'Seconds since the last successful agent-state poll of the workspace, by any worker', ['workspace_id'], (g, s) => {
    for (const a of s.agentPolls) g.set({ workspace_id: a.workspaceId }, Math.max(0, (now() - a.atMs) / 1000));
  });
  gauge(`${P}conversations_stored`, 'Conversations stored in tickets, per workspace', ['workspace_id'], (g, s) => {
    for (const w of s.stored) g.set({ workspace_id: w.workspaceId }, w.count);
  });
  new Gauge({
    name: `${P}metrics_snapshot_ok`,
    help: '1 when the last scrape could read Postgres (the per-workspace gauges are current), 0 otherwise',
    registers: [registry],
    async collect() {
      this.set((await snapshot()) ? 1 : 0);
    },
  });
}
