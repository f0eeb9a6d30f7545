import { request } from 'undici';
import { workspaceStatus } from '../../src/cli/commands';
import { freePort } from '../../testkit/net';
import { expectedInBackfill, storedTickets } from '../helpers/expectRows';
import { waitFor } from '../helpers/stack';
import { useWorkerStack } from '../helpers/workerProcess';

// One real worker process (`src/worker/main.ts`, LOG_LEVEL=debug, METRICS_PORT=0) runs a full sync:
// its /metrics shows every metric with plausible values, and its log holds neither the token nor
// any PII marker the simulator planted in names, emails and message bodies.
const WS = 'obs-ws';
const TOKEN = `tok-${WS}`;

/** `name{labels} value` lines of a Prometheus text page, as [name, labels, value]. */
function samples(page: string): { name: string; labels: Record<string, string>; value: number }[] {
  const out = [];
  for (const line of page.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

describe('a worker process: /metrics after a sync, and a log without secrets', () => {
  const ctx = useWorkerStack({
    simulator: { seed: 23, ratePerMinute: 10_000, workspaces: [{ id: WS, name: 'Obs Co', region: 'us', conversations: 300 }] },
    workflow: { cadence: { defaultMs: 2_000, agentStatesMs: 1_000 }, backfill: { targetPerWindow: 150, parallelism: 2 } },
  });

  it('exposes each metric with values that match the sync, and logs JSON lines free of the token and PII', async () => {
    const sdkMetrics = `127.0.0.1:${await freePort()}`;
    ctx.workers.start({ METRICS_PORT: '0', LOG_FORMAT: 'json', TEMPORAL_METRICS_BIND: sdkMetrics });
    const url = await waitFor('the metrics URL in the log', async () => /"url":"(http:\/\/127\.0\.0\.1:\d+\/metrics)"/.exec(ctx.workers.output())?.[1], 60_000);
    await waitFor('the worker to poll', async () => ctx.workers.output().includes('worker polling'), 60_000);
    await ctx.stack.connect(TOKEN);
    await waitFor('the backfill to finish', async () => (await workspaceStatus(ctx.stack.env.client, WS))?.jobs.backfill.done === true, 120_000);
    const scrape = async () => samples(await (await request(url)).body.text());
    // The loops have run at least once since: lags are reported.
    const page = await waitFor('a default run and an agent poll', async () => {
      const s = await scrape();
      const has = (name: string) => s.some((x) => x.name === name && x.labels.workspace_id === WS);
      return has('intercom_sync_default_loop_lag_seconds') && has('intercom_sync_agent_poll_lag_seconds') ? s : null;
    }, 60_000);
    const one = (name: string, labels: Record<string, string> = {}) =>
      page.filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v)).reduce((sum, x) => sum + x.value, 0);
    const names = new Set(page.map((x) => x.name));

    const stored = (await storedTickets(ctx.stack.t.db, WS)).length;
    expect(await storedTickets(ctx.stack.t.db, WS)).toEqual(await expectedInBackfill(ctx.stack, WS));
    expect(stored).toBeGreaterThan(0);

    expect(one('intercom_sync_intercom_requests_total', { endpoint: 'POST /conversations/search', status: '200' })).toBeGreaterThan(0);
    expect(one('intercom_sync_intercom_requests_total', { endpoint: 'GET /conversations/{id}', status: '200' })).toBeGreaterThanOrEqual(stored);
    expect(one('intercom_sync_intercom_requests_total', { endpoint: 'GET /admins', status: '200' })).toBeGreaterThan(0);
    // No raw URL ever becomes a label value.
    for (const x of page.filter((p) => p.name === 'intercom_sync_intercom_requests_total')) expect(x.labels.endpoint).toMatch(/^(GET|POST) \/[a-z/{}]*$/);
    // Every stored row was written at least once, and each write came from one detail answer. (The
    // default loop may run while the backfill does and write a recent conversation the backfill
    // also writes, so equality with the stored count is not guaranteed.)
    const written = one('intercom_sync_rows_written_total', { table: 'tickets' });
    expect(written).toBeGreaterThanOrEqual(stored);
    expect(written).toBeLessThanOrEqual(one('intercom_sync_intercom_requests_total', { endpoint: 'GET /conversations/{id}', status: '200' }));
    expect(one('intercom_sync_conversations_stored', { workspace_id: WS })).toBe(stored);
    expect(one('intercom_sync_backfill_percent', { workspace_id: WS })).toBe(100);
    expect(one('intercom_sync_workspace_gate', { workspace_id: WS, state: 'open' })).toBe(1);
    expect(one('intercom_sync_rate_budget_limit', { workspace_id: WS })).toBeGreaterThan(0);
    expect(names).toContain('intercom_sync_rate_budget_used');
    expect(one('intercom_sync_default_loop_lag_seconds', { workspace_id: WS })).toBeLessThan(120);
    expect(one('intercom_sync_agent_poll_lag_seconds', { workspace_id: WS })).toBeLessThan(120);
    expect(one('intercom_sync_metrics_snapshot_ok')).toBe(1);
    // Counters nothing has touched yet (no 429, no error, no webhook in this run) are declared, at 0.
    for (const n of ['intercom_sync_intercom_rate_limited_total', 'intercom_sync_sync_errors_total', 'intercom_sync_activity_failures_total', 'intercom_sync_webhooks_received_total', 'intercom_sync_webhooks_rejected_total']) {
      expect(await (await request(url)).body.text()).toContain(`# TYPE ${n} counter`);
    }

    // The SDK runtime's own exporter (TEMPORAL_METRICS_BIND) reports the worker's activity executions.
    expect(await (await request(`http://${sdkMetrics}/metrics`)).body.text()).toMatch(/^temporal_activity_execution_latency\w*\{/m);

    // The log: JSON lines; activity lines carry workspace, workflow and activity type; no token, no PII.
    const lines = ctx.workers.output().split('\n').filter((l) => l.trim() !== '');
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.some((e) => e.workspaceId === WS && typeof e.workflowId === 'string' && e.activityType === 'syncConversationWindow')).toBe(true);
    const markers = ctx.stack.sim.workspace(WS).piiMarkers();
    expect(markers.length).toBeGreaterThan(0);
    const log = ctx.workers.output();
    expect(log).not.toContain(TOKEN);
    for (const m of markers) expect(log).not.toContain(m);
    expect(log).not.toContain('PII-MARKER');
  });
});
