import { freePort } from '../../../testkit/net';
import { sql } from 'kysely';
import type { SimWorkspaceSpec } from '../../../testkit/simulator';
import type { Goal, ScenarioOutput } from '../report';
import { percentile, round } from '../report';
import { renderSvg } from '../svg';
import { DEFAULT_CADENCE, DEFAULT_POLLER_HEARTBEAT_TIMEOUT_MS } from '../../../workflows/workspace';
import { DELETIONS_EVERY_MS } from '../../../workflows/jobs/deletions';
import { log, REALISTIC_LATENCY, sleep, startStack, waitUntil, type BenchStack } from '../stack';

/**
 * What a connected workspace costs on Temporal Cloud, read from the dev server's own `action`
 * metric (`temporal server start-dev --metrics-port N`), never from our counters:
 * - backfill: every action from the connect of one workspace of BACKFILL_SIZE conversations until
 *   its backfill child completed, per 1,000 conversations;
 * - steady state: every action over a steady period (backfills done) divided by the workspaces and
 *   the period, per workspace-hour, by action type; agent-state freshness p99 measured in the same run.
 */
export interface ActionsOptions {
  quick: boolean;
}

const BACKFILL_SIZE = 3_000;

/** action{action_type="…",namespace="default",…} summed by action_type for one namespace. */
export function parseActions(text: string, namespace = 'default'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('action{')) continue;
    const m = /^action\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (labels.namespace !== namespace) continue;
    const type = labels.action_type ?? 'unknown';
    out[type] = (out[type] ?? 0) + Number(m[2]);
  }
  return out;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number) => (a / gcd(a, b)) * b;

const diff = (a: Record<string, number>, b: Record<string, number>) => {
  const out: Record<string, number> = {};
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = (b[k] ?? 0) - (a[k] ?? 0);
    if (d) out[k] = d;
  }
  return out;
};
const total = (o: Record<string, number>) => Object.values(o).reduce((x, y) => x + y, 0);
const gapMs = (perSecond: number) => (-Math.log(1 - Math.random()) / perSecond) * 1000;

interface Flip {
  workspaceId: string;
  adminId: string;
  at: number;
  observedAt: number | null;
  expect: string;
}

export async function actionsScenario(o: ActionsOptions): Promise<ScenarioOutput> {
  const steadyWorkspaces = o.quick ? 3 : 20;
  // Whole periods of both steady schedules, so the window sees each one's exact share whatever its phase:
  // the default loop (a tick every 5 min) and the poller (an action every half heartbeat timeout:
  // heartbeats at 10, 20, …, 50 min of its hour-long run, the next run's start at 60).
  const period = lcm(DEFAULT_CADENCE.defaultMs, DEFAULT_POLLER_HEARTBEAT_TIMEOUT_MS / 2) / 1000;
  const steadySec = o.quick ? period : Math.max(3600, period);
  const metricsPort = await freePort();
  const backfillSpec: SimWorkspaceSpec = { id: 'actions-backfill', name: 'Backfill', region: 'us', conversations: BACKFILL_SIZE };
  const specs: SimWorkspaceSpec[] = Array.from({ length: steadyWorkspaces }, (_, i) => ({ id: `actions-${i}`, name: `Actions ${i}`, region: 'us', conversations: 20 }));
  const stack: BenchStack = await startStack({
    scenario: 'actions',
    simulator: { seed: 13, ratePerMinute: 10_000, ...REALISTIC_LATENCY, workspaces: [backfillSpec, ...specs] },
    temporalArgs: ['--metrics-port', String(metricsPort)],
  });
  const scrape = async () => {
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    if (!res.ok) throw new Error(`metrics endpoint answered ${res.status}`);
    return parseActions(await res.text());
  };
  const backfillDone = (ids: string[]) =>
    waitUntil(
      `${ids.length} backfill(s) to finish`,
      async () => {
        const { count } = await stack.env.client.workflow.count(`WorkflowType = "backfillWorkflow" AND ExecutionStatus = "Completed"`);
        return count >= ids.length;
      },
      900_000,
      1000,
    );
  try {
    const worker = await stack.spawnWorker();
    await waitUntil('the metrics endpoint', async () => (await scrape()) !== null, 30_000);

    // ---- backfill of a known size ----
    const b0 = await scrape();
    const bStart = Date.now();
    await stack.connect(backfillSpec.id);
    await backfillDone([backfillSpec.id]);
    const backfillSec = (Date.now() - bStart) / 1000;
    const b1 = await scrape();
    const backfillActions = diff(b0, b1);
    log(`actions: backfill of ${BACKFILL_SIZE} conversations: ${total(backfillActions)} actions in ${backfillSec.toFixed(0)} s`);

    // ---- steady state ----
    for (const s of specs) await stack.connect(s.id);
    await backfillDone([backfillSpec.id, ...specs.map((s) => s.id)]);
    const all = [backfillSpec, ...specs];
    // Every workspace's agent states recorded at least once since its backfill: its poller runs.
    await waitUntil(
      'every poller to run',
      async () => {
        const rows = await stack.t.db.selectFrom('workspaces').select(['id', 'agents_polled_at']).execute();
        return rows.length === all.length && rows.every((r) => r.agents_polled_at !== null);
      },
      120_000,
    );
    // Past every workspace's first default tick, which also does once-per-run work (the hourly
    // deleted-list read, the stale-mapping count): counting it as steady would bill a one-time
    // cost twelve times an hour. The hourly read is added below as counted.
    await waitUntil(
      "every workspace's first default tick",
      async () => {
        const rows = await stack.t.db.selectFrom('workspaces').select(['id', 'last_default_run_at']).execute();
        return rows.length === all.length && rows.every((r) => r.last_default_run_at !== null);
      },
      DEFAULT_CADENCE.defaultMs + 120_000,
    );
    await sleep(20_000);
    const deletedReads = () => stack.sim.stats().byEndpoint['GET /conversations/deleted'] ?? 0;
    const d0 = deletedReads();
    const s0 = await scrape();
    const steadyFrom = Date.now();
    const flips: Flip[] = [];
    const pending = new Map<string, Flip>();
    let running = true;
    const flipper = (async () => {
      while (running && Date.now() - steadyFrom < (steadySec - 20) * 1000) {
        await sleep(gapMs(0.5));
        const spec = all[Math.floor(Math.random() * all.length)];
        if (!spec) continue;
        const ws = stack.sim.workspace(spec.id);
        const admin = ws.admins()[Math.floor(Math.random() * ws.admins().length)];
        if (!admin || pending.has(`${spec.id}|${admin.id}`)) continue;
        const away = !admin.away_mode_enabled;
        ws.setAway(admin.id, away);
        const f: Flip = { workspaceId: spec.id, adminId: admin.id, at: Date.now(), observedAt: null, expect: away ? 'away' : 'available' };
        flips.push(f);
        pending.set(`${spec.id}|${admin.id}`, f);
      }
    })();
    let steadyTo = Number.POSITIVE_INFINITY;
    const observer = (async () => {
      while (running || (pending.size > 0 && Date.now() - steadyTo < 30_000)) {
        const queryAt = Date.now();
        const list = [...pending.values()];
        if (list.length) {
          const rows = await sql<{ workspace_id: string; admin_id: string; state: string }>`
            select a.workspace_id, a.admin_id, a.state from agent_states a
            join unnest(${list.map((f) => f.workspaceId)}::text[], ${list.map((f) => f.adminId)}::text[]) as p(w, k)
              on a.workspace_id = p.w and a.admin_id = p.k`.execute(stack.t.db);
          for (const r of rows.rows) {
            const f = pending.get(`${r.workspace_id}|${r.admin_id}`);
            if (f && r.state === f.expect) {
              f.observedAt = queryAt;
              pending.delete(`${r.workspace_id}|${r.admin_id}`);
            }
          }
        }
        await sleep(Math.max(0, 100 - (Date.now() - queryAt)));
      }
    })();
    while (Date.now() - steadyFrom < steadySec * 1000) await sleep(1000);
    const s1 = await scrape();
    const deletionReadsInWindow = deletedReads() - d0;
    steadyTo = Date.now();
    running = false;
    await flipper;
    await observer;
    await worker.stop();

    const hours = (steadyTo - steadyFrom) / 3_600_000;
    const steady = diff(s0, s1);
    const perWsHour = Object.fromEntries(Object.entries(steady).map(([k, v]) => [k, round(v / all.length / hours, 1) ?? 0]));
    const latencies = flips.map((f) => (f.observedAt === null ? Number.POSITIVE_INFINITY : (f.observedAt - f.at) / 1000));
    const p99 = percentile(latencies, 99);
    const measured = total(steady) / all.length / hours;
    // The deleted-list read is one activity an hour per workspace (DELETIONS_EVERY_MS), and the
    // workspaces connected together read it together: a window under an hour sees all of them or
    // none. There the reads seen (one activity each, counted at the simulator) are taken out and
    // the schedule's rate put in; an hour-long window measures them as they are.
    const deletionsCorrection = hours < 1 ? -deletionReadsInWindow / all.length / hours + 3_600_000 / DELETIONS_EVERY_MS : 0;
    const summary = {
      steady_actions_per_workspace_hour_measured: round(measured, 1),
      steady_deletion_reads_in_window: deletionReadsInWindow,
      steady_deletions_correction_per_workspace_hour: round(deletionsCorrection, 2),
      steady_actions_per_workspace_hour: round(measured + deletionsCorrection, 1),
      steady_workspaces: all.length,
      steady_period_s: Math.round((steadyTo - steadyFrom) / 1000),
      steady_extrapolated_from_s: Math.round((steadyTo - steadyFrom) / 1000),
      backfill_actions_per_1000_conversations: round((total(backfillActions) / BACKFILL_SIZE) * 1000, 1),
      backfill_conversations: BACKFILL_SIZE,
      backfill_actions: total(backfillActions),
      backfill_seconds: round(backfillSec, 1),
      agent_state_freshness_p99_s: round(p99 !== null && Number.isFinite(p99) ? p99 : null, 2),
      agent_state_freshness_p50_s: round(percentile(latencies, 50), 2),
      agent_state_changes: flips.length,
      agent_state_unobserved: flips.filter((f) => f.observedAt === null).length,
      steady_by_type: [perWsHour],
      backfill_by_type: [backfillActions],
    };
    const goals: Goal[] = [
      { key: 'steady_actions_per_workspace_hour', op: '<=', target: 40 },
      { key: 'agent_state_freshness_p99_s', op: '<=', target: 16, requires: { key: 'agent_state_changes', min: 20, what: 'agent-state flips' } },
    ];
    const types = Object.keys(perWsHour).sort();
    const svg = renderSvg(
      `actions per workspace-hour (steady, ${all.length} workspaces, ${summary.steady_period_s} s)`,
      [
        {
          title: 'steady actions per workspace-hour by action type',
          xLabel: 'action type',
          xCategories: types.map((t) => t.replace(/^grpc_/, '')),
          yLabel: 'actions / workspace-hour',
          series: [{ name: 'actions', color: '#4c78a8', kind: 'bar', points: types.map((t, i) => [i, perWsHour[t] ?? 0]) }],
          hlines: [{ at: 40, label: 'goal 40' }],
        },
      ],
      `${new Date().toISOString().slice(0, 10)} · ${o.quick ? 'quick' : 'full'} run`,
    );
    return {
      summary,
      goals,
      notes: [
        `Figures from the dev server's own \`action\` metric (namespace default), not our counters. Steady: ${all.length} workspaces over ${summary.steady_period_s} s (${hours < 1 ? 'extrapolated per hour' : 'per hour'}), after every backfill completed and every poller ran.`,
        `The window is whole periods of the default loop (${DEFAULT_CADENCE.defaultMs / 60_000} min) and of the agent-state poller (one action every ${DEFAULT_POLLER_HEARTBEAT_TIMEOUT_MS / 120_000} min: its heartbeats, then the next hour-long run's start), so both are measured, not added.`,
        `The hourly deleted-list read (one activity per workspace per hour): ${o.quick ? `${deletionReadsInWindow} seen in the window were taken out and the schedule's 1 per workspace-hour put in (steady_deletions_correction_per_workspace_hour)` : 'measured in the hour-long window'}.`,
        `Backfill: every action from the connect of one workspace of ${BACKFILL_SIZE} conversations until its backfill child completed (includes that workspace's start, catalog and loops during the ${summary.backfill_seconds} s), per 1,000 conversations.`,
        'Agent-state freshness: admins flip away mode at random (Poisson, 0.5/s over the workspaces); freshness is the time to the first 100-ms poll of Postgres that shows the new state; unobserved flips count as infinitely late.',
      ],
      details: { steady_raw: steady, backfill_raw: backfillActions, metrics_port: metricsPort },
      svg,
    };
  } finally {
    await stack.stop();
  }
}
