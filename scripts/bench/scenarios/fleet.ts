import { join } from 'node:path';
import { sql } from 'kysely';
import type { Client } from '@temporalio/client';
import { connectWorkspace } from '../../../src/app/connectWorkspace';
import { workspaceStatus } from '../../../src/cli/commands';
import type { SimWorkspaceSpec } from '../../../testkit/simulator';
import { workspaceWorkflowId } from '../../../workflows/ids';
import { DEFAULT_CADENCE } from '../../../workflows/workspace';
import { CATALOG_REFRESH_MS } from '../../../activities/catalog';
import { DELETIONS_EVERY_MS } from '../../../workflows/jobs/deletions';
import type { Db } from '../../../src/db/connection';
import { catalogAndReconciliation, requestsByKind, steadyShare, total } from '../catalogCost';
import { activityRestartCosts } from '../history';
import type { Goal, ScenarioOutput } from '../report';
import { percentile, round } from '../report';
import { renderSvg } from '../svg';
import { log, REALISTIC_LATENCY, sleep, startStack, TMP_DIR, waitUntil, type BenchStack } from '../stack';

export interface FleetOptions {
  quick: boolean;
  cpuProf?: boolean;
  /** Worker with --inspect: V8 heap usage sampled every 5 s and a heap snapshot at the end (bench-results/tmp). */
  inspect?: boolean;
  workspaces?: number;
}

interface Change {
  workspaceId: string;
  key: string;
  at: number;
  observedAt: number | null;
  /** agent state: the state the row must show; ticket: the updated_at (Unix s) the row must reach. */
  expectState?: string;
  expectUpdatedSec?: number;
  kind: 'agent' | 'create' | 'update';
}

const HISTORY_SAMPLE = 50;
const DEFAULT_CADENCE_SEC = 300;
/**
 * Workspaces whose agent-state poller restarts every few tens of seconds instead of hourly, so that the
 * restart's history events (outside any steady period shorter than an hour) are measured, not assumed.
 */
const PROBES = 5;

/** mulberry32: sizes are reproducible from run to run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Conversations per workspace, realistic and mixed: most workspaces small (log-uniform), about 5 % medium,
 * and a few large ones (tens of thousands in the full run; scaled down in quick mode).
 */
export function fleetSizes(n: number, quick: boolean, seed = 9): number[] {
  const r = rng(seed);
  const logUniform = (lo: number, hi: number) => Math.round(Math.exp(Math.log(lo) + r() * (Math.log(hi) - Math.log(lo))));
  const large = (quick ? [4_000] : [12_000, 20_000, 30_000]).slice(0, n);
  const medium = Math.min(n - large.length, Math.round(n * (quick ? 0.03 : 0.04)));
  const sizes = [...large, ...Array.from({ length: medium }, () => (quick ? logUniform(100, 500) : logUniform(300, 2_000)))];
  while (sizes.length < n) sizes.push(quick ? logUniform(3, 60) : logUniform(3, 200));
  return sizes;
}

interface HistoryMark {
  runId: string;
  length: number;
  /** Completed runs of the default loop (status query). */
  defaultRuns: number;
}

async function historyLengths(client: Client, ids: string[]): Promise<Map<string, HistoryMark>> {
  const out = new Map<string, HistoryMark>();
  await Promise.all(
    ids.map(async (id) => {
      const d = await client.workflow.getHandle(workspaceWorkflowId(id)).describe();
      const v = await workspaceStatus(client, id);
      out.set(id, { runId: d.runId, length: d.historyLength, defaultRuns: v?.jobs.default.runs ?? 0 });
    }),
  );
  return out;
}

async function eventsBetween(client: Client, ids: string[], before: Map<string, HistoryMark>, after: Map<string, HistoryMark>): Promise<number[]> {
  return Promise.all(
    ids.map(async (id) => {
      const a = before.get(id);
      const b = after.get(id);
      if (!a || !b) return 0;
      if (a.runId === b.runId) return b.length - a.length;
      // Continued as new in between: the rest of the old run plus the new run so far.
      const old = await client.workflow.getHandle(workspaceWorkflowId(id), a.runId).describe();
      return old.historyLength - a.length + b.length;
    }),
  );
}

async function mapLimit<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i] as T, i);
      }
    }),
  );
}

/** Search requests the deletion reconciliation spent (its own count, per workspace and day). */
async function reconciliationRequests(db: Db): Promise<number> {
  const row = await db.selectFrom('reconciliation_requests').select(sql<string>`coalesce(sum(requests), 0)`.as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}

const prefixed = (prefix: string, o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [`${prefix}${k}`, v]));

/** Random exponential gap (a Poisson process of `perSecond` events). */
const gapMs = (perSecond: number) => (-Math.log(1 - Math.random()) / perSecond) * 1000;

export async function fleetScenario(o: FleetOptions): Promise<ScenarioOutput> {
  // Quick: onboarding 1,000 workspaces keeps this 2-core machine saturated for ~150 s (the dev server and
  // the worker), which with two minutes of steady state does not fit in three minutes: 250 workspaces, and
  // the default loop every 60 s instead of 5 min so that two whole cadences fit in the steady period.
  const n = o.workspaces ?? (o.quick ? 200 : 1000);
  const cadenceSec = o.quick ? 60 : DEFAULT_CADENCE_SEC;
  // Exactly two default cadences, so every workspace ticks exactly twice whatever its phase (they all
  // connect within seconds of each other, so a window of any other length would over- or under-count ticks).
  const steadySec = 2 * cadenceSec;
  /** Default-loop changes are made early enough to be picked up by a tick before the end. */
  const defaultChangesUntilSec = steadySec - cadenceSec - 30;
  const agentFlipsUntilSec = steadySec - 16;
  const sizes = fleetSizes(n, o.quick);
  const specs: SimWorkspaceSpec[] = sizes.map((conversations, i) => ({ id: `fleet-${String(i).padStart(4, '0')}`, name: `Fleet ${i}`, region: 'us', conversations }));
  const probeSpecs: SimWorkspaceSpec[] = Array.from({ length: PROBES }, (_, i) => ({ id: `probe-${i}`, name: `Probe ${i}`, region: 'us', conversations: 3 }));
  // Not a divisor or multiple of the default cadence, so the probes' restarts rarely meet a default tick.
  const probePollerRunMs = Math.round(steadySec / 4.6) * 1000;
  const stack: BenchStack = await startStack({
    scenario: 'fleet',
    // 10,000/min: Intercom's documented default for an app today (the large workspaces backfill in minutes).
    simulator: { seed: 9, ratePerMinute: 10_000, ...REALISTIC_LATENCY, workspaces: [...specs, ...probeSpecs] },
    // The default backfill tuning; only the default loop's cadence is shortened in quick mode.
    workflow: { cadence: { defaultMs: cadenceSec * 1000 } },
    cpuProf: o.cpuProf,
    inspect: o.inspect,
  });
  try {
    const worker = await stack.spawnWorker();
    const heap: Array<{ t: number; used: number; total: number }> = [];
    const heapTimer = worker.inspector
      ? setInterval(() => {
          void worker.inspector?.heapMb().then((h) => heap.push({ t: Date.now(), ...h }));
        }, 5000)
      : null;
    const client = stack.env.client;
    const t0 = Date.now();
    let connected = 0;
    await mapLimit(specs, 50, async (s) => {
      await stack.connect(s.id);
      connected += 1;
      if (connected % 250 === 0) log(`fleet: ${connected}/${n} connected`);
    });
    for (const p of probeSpecs) {
      await connectWorkspace({ ...stack.connectDeps, workflowOptions: { cadence: { defaultMs: cadenceSec * 1000, agentPollerRunMs: probePollerRunMs } } }, `tok-${p.id}`);
    }
    const connectedAt = Date.now();
    log(`fleet: ${n} workspaces (${sizes.reduce((a, b) => a + b, 0)} conversations, largest ${Math.max(...sizes)}) connected in ${((connectedAt - t0) / 1000).toFixed(1)} s; waiting for every backfill`);
    await waitUntil(
      'every backfill to finish',
      async () => {
        const { count } = await client.workflow.count(`WorkflowType = "backfillWorkflow" AND ExecutionStatus = "Completed"`);
        return count >= n + PROBES;
      },
      o.quick ? 900_000 : 3_600_000,
      1000,
    );
    const backfilledAt = Date.now();
    log(`fleet: every backfill done ${((backfilledAt - connectedAt) / 1000).toFixed(1)} s after the last connect`);
    await sleep(5_000);

    // ---- steady state ----
    const sample = [...specs].sort(() => Math.random() - 0.5).slice(0, HISTORY_SAMPLE).map((s) => s.id);
    const steadyFrom = Date.now();
    const histBefore = await historyLengths(client, sample);
    const simBefore = stack.sim.stats();
    const reconcileBefore = await reconciliationRequests(stack.t.db);
    const changes: Change[] = [];
    const pending = new Map<string, Change>();
    let running = true;
    let steadyTo = Number.POSITIVE_INFINITY;

    const flipper = (async () => {
      while (running && Date.now() - steadyFrom < agentFlipsUntilSec * 1000) {
        await sleep(gapMs(2));
        const spec = specs[Math.floor(Math.random() * n)];
        if (!spec) continue;
        const ws = stack.sim.workspace(spec.id);
        const admins = ws.admins();
        const admin = admins[Math.floor(Math.random() * admins.length)];
        if (!admin || pending.has(`a|${spec.id}|${admin.id}`)) continue;
        const away = !admin.away_mode_enabled;
        ws.setAway(admin.id, away);
        const c: Change = { kind: 'agent', workspaceId: spec.id, key: admin.id, at: Date.now(), observedAt: null, expectState: away ? 'away' : 'available' };
        changes.push(c);
        pending.set(`a|${spec.id}|${admin.id}`, c);
      }
    })();
    const changer = (async () => {
      let create = true;
      while (running && Date.now() - steadyFrom < defaultChangesUntilSec * 1000) {
        await sleep(gapMs(1));
        const spec = specs[Math.floor(Math.random() * n)];
        if (!spec) continue;
        const ws = stack.sim.workspace(spec.id);
        if (create) {
          const c = ws.createConversation();
          if (c.first_contact_reply === null) continue;
          const ch: Change = { kind: 'create', workspaceId: spec.id, key: c.id, at: Date.now(), observedAt: null, expectUpdatedSec: c.updated_at };
          changes.push(ch);
          pending.set(`t|${spec.id}|${c.id}`, ch);
        } else {
          const candidates = ws.conversations().filter((c) => c.first_contact_reply !== null && !pending.has(`t|${spec.id}|${c.id}`));
          const pick = candidates[Math.floor(Math.random() * candidates.length)];
          if (!pick) continue;
          ws.updateConversation(pick.id);
          const now = ws.conversation(pick.id);
          if (!now) continue;
          const ch: Change = { kind: 'update', workspaceId: spec.id, key: pick.id, at: Date.now(), observedAt: null, expectUpdatedSec: now.updated_at };
          changes.push(ch);
          pending.set(`t|${spec.id}|${pick.id}`, ch);
        }
        create = !create;
      }
    })();
    // Postgres is polled every 100 ms for every pending change; a change is seen when its row shows it.
    const observer = (async () => {
      while (running || pending.size > 0) {
        const queryAt = Date.now();
        const agents = [...pending.values()].filter((c) => c.kind === 'agent');
        const tickets = [...pending.values()].filter((c) => c.kind !== 'agent');
        if (agents.length) {
          const rows = await sql<{ workspace_id: string; admin_id: string; state: string }>`
            select a.workspace_id, a.admin_id, a.state from agent_states a
            join unnest(${agents.map((c) => c.workspaceId)}::text[], ${agents.map((c) => c.key)}::text[]) as p(w, k)
              on a.workspace_id = p.w and a.admin_id = p.k`.execute(stack.t.db);
          for (const r of rows.rows) {
            const c = pending.get(`a|${r.workspace_id}|${r.admin_id}`);
            if (c && r.state === c.expectState) {
              c.observedAt = queryAt;
              pending.delete(`a|${r.workspace_id}|${r.admin_id}`);
            }
          }
        }
        if (tickets.length) {
          const rows = await sql<{ workspace_id: string; conversation_id: string; u: number }>`
            select t.workspace_id, t.conversation_id, extract(epoch from t.updated_at)::bigint as u from tickets t
            join unnest(${tickets.map((c) => c.workspaceId)}::text[], ${tickets.map((c) => c.key)}::text[]) as p(w, k)
              on t.workspace_id = p.w and t.conversation_id = p.k`.execute(stack.t.db);
          for (const r of rows.rows) {
            const c = pending.get(`t|${r.workspace_id}|${r.conversation_id}`);
            if (c && Number(r.u) >= (c.expectUpdatedSec ?? Number.POSITIVE_INFINITY)) {
              c.observedAt = queryAt;
              pending.delete(`t|${r.workspace_id}|${r.conversation_id}`);
            }
          }
        }
        // After the end: agent flips get 30 s more, default-loop changes until a whole cadence (+30 s) after them.
        if (!running && Date.now() - steadyTo > 30_000) {
          const late = [...pending.values()].filter((c) => c.kind !== 'agent' && Date.now() - c.at < (cadenceSec + 30) * 1000);
          if (late.length === 0) break;
        }
        await sleep(Math.max(0, 100 - (Date.now() - queryAt)));
      }
    })();
    let lastLog = Date.now();
    while (Date.now() - steadyFrom < steadySec * 1000) {
      await sleep(1000);
      if (Date.now() - lastLog >= 60_000) {
        lastLog = Date.now();
        const cpu = worker.sampler.cpuPercent(Date.now() - 60_000, Date.now());
        log(`fleet: ${Math.round((Date.now() - steadyFrom) / 1000)} s steady · worker CPU ${cpu?.toFixed(1)} % · RSS ${worker.sampler.samples[worker.sampler.samples.length - 1]?.rssMb.toFixed(0)} MB · ${changes.filter((c) => c.observedAt !== null).length}/${changes.length} changes seen`);
      }
    }
    steadyTo = Date.now();
    const histAfter = await historyLengths(client, sample);
    const simAfter = stack.sim.stats();
    const reconcileAfter = await reconciliationRequests(stack.t.db);
    // syncCatalog's reads at connect (one GET /teams and one GET /tags per successful run) are
    // onboarding, which the catalog had before issue 9; the refresh is every other teams/tags read.
    let catalogRuns = 0;
    await mapLimit([...specs, ...probeSpecs], 20, async (sp) => {
      // Read before adding: `catalogRuns += await …` would add to a stale total and lose concurrent runs.
      const runs = (await workspaceStatus(client, sp.id))?.jobs.catalog.runs ?? 0;
      catalogRuns += runs;
    });
    running = false;
    await Promise.all([flipper, changer]);
    await observer;
    const events = await eventsBetween(client, sample, histBefore, histAfter);
    const restartCosts = (await Promise.all(probeSpecs.map((p) => activityRestartCosts(client, workspaceWorkflowId(p.id), 'pollAgentStates', steadyFrom)))).flat();
    const restartEvents = restartCosts.length ? restartCosts.reduce((a, b) => a + b, 0) / restartCosts.length : null;
    const restartsPerHour = 3_600_000 / DEFAULT_CADENCE.agentPollerRunMs;
    if (heapTimer) clearInterval(heapTimer);
    if (worker.inspector) {
      const path = join(TMP_DIR, `fleet-${Date.now()}.heapsnapshot`);
      await worker.inspector.heapSnapshot(path);
      log(`fleet: heap snapshot written to ${path}`);
    }
    await worker.stop();

    const steadyHours = (steadyTo - steadyFrom) / 3_600_000;
    const meanEvents = events.reduce((a, b) => a + b, 0) / Math.max(1, events.length);
    const ticks = sample.reduce((n, id) => n + ((histAfter.get(id)?.defaultRuns ?? 0) - (histBefore.get(id)?.defaultRuns ?? 0)), 0);
    const eventsPerTick = ticks > 0 ? events.reduce((a, b) => a + b, 0) / ticks : null;
    // Full: the window is two whole 5-minute cadences, so events per hour are measured directly. Quick (60-s
    // cadence): the hour at the real cadence is built from the measured events per default tick.
    const measuredPerHour = o.quick ? (eventsPerTick === null ? null : eventsPerTick * (3600 / DEFAULT_CADENCE_SEC)) : meanEvents / steadyHours;
    const fresh = (kinds: Change['kind'][]) => changes.filter((c) => kinds.includes(c.kind));
    const latencies = (cs: Change[]) => cs.map((c) => (c.observedAt === null ? Number.POSITIVE_INFINITY : (c.observedAt - c.at) / 1000));
    const agentChanges = fresh(['agent']);
    const ticketChanges = fresh(['create', 'update']);
    const agentP99 = percentile(latencies(agentChanges), 99);
    const ticketLat = latencies(ticketChanges);
    const defaultP99 = percentile(ticketLat, 99);
    const finite = (v: number | null) => (v === null || !Number.isFinite(v) ? null : v);
    const requests = simAfter.requests - simBefore.requests;
    // Catalog and reconciliation cost (issue 9: ≤ 0.5 % of the requests). The whole run is measured as
    // is, but its backfills dilute it; the steady share is built for an idle workspace at the real
    // cadences (catalogCost.ts says how), and the goal takes the larger of the two. The reads of
    // syncCatalog at connect are onboarding (they predate the refresh): counted apart.
    const runKinds = requestsByKind(simAfter, null, reconcileAfter);
    const steadyKinds = requestsByKind(simAfter, simBefore, reconcileAfter - reconcileBefore);
    const runShare = total(runKinds) > 0 ? catalogAndReconciliation(runKinds) / total(runKinds) : null;
    const runRefresh = catalogAndReconciliation(runKinds) - 2 * catalogRuns;
    const runRefreshShare = total(runKinds) > 0 && runRefresh >= 0 ? runRefresh / total(runKinds) : null;
    const steady = steadyShare({
      steady: steadyKinds,
      workspaces: n + PROBES,
      steadyHours: (steadyTo - steadyFrom) / 3_600_000,
      defaultRunsPerWorkspace: ticks / sample.length,
      realDefaultRunsPerHour: 3600 / DEFAULT_CADENCE_SEC,
      catalogScheduledPerHour: (2 * 3_600_000) / CATALOG_REFRESH_MS,
      deletedListScheduledPerHour: 3_600_000 / DELETIONS_EVERY_MS,
    });
    const sharePcts = [runRefreshShare === null ? null : 100 * runRefreshShare, steady.sharePct];
    const worstSharePct = sharePcts.every((v): v is number => v !== null && Number.isFinite(v)) ? Math.max(...sharePcts) : null;
    const summary = {
      scenario: 'fleet',
      workspaces: n,
      steady_seconds: round((steadyTo - steadyFrom) / 1000, 1),
      worker_cpu_percent: round(worker.sampler.cpuPercent(steadyFrom, steadyTo), 1),
      worker_rss_mb: round(worker.sampler.peakRssMb(), 1),
      worker_rss_steady_mb: round(worker.sampler.peakRssMb(steadyFrom, steadyTo), 1),
      history_events_per_workspace_hour: measuredPerHour === null || restartEvents === null ? null : round(measuredPerHour + restartEvents * restartsPerHour, 1),
      history_events_steady_per_workspace_hour: round(measuredPerHour, 1),
      poller_restart_events: round(restartEvents, 2),
      poller_restarts_measured: restartCosts.length,
      history_events_per_default_tick: round(eventsPerTick, 2),
      default_ticks_in_sample: ticks,
      agent_state_freshness_p99_s: round(finite(agentP99), 2),
      agent_state_freshness_p50_s: round(finite(percentile(latencies(agentChanges), 50)), 2),
      agent_state_changes: agentChanges.length,
      agent_state_unobserved: agentChanges.filter((c) => c.observedAt === null).length,
      default_freshness_p99_s: round(finite(defaultP99), 1),
      default_freshness_p50_s: round(finite(percentile(ticketLat, 50)), 1),
      default_cadence_s: cadenceSec,
      default_changes: ticketChanges.length,
      default_changes_observed: ticketChanges.filter((c) => c.observedAt !== null).length,
      default_freshness_max_observed_s: round(Math.max(0, ...ticketLat.filter(Number.isFinite)), 1),
      requests_per_second: round(requests / ((steadyTo - steadyFrom) / 1000), 1),
      requests_429: simAfter.requests429,
      catalog_reconciliation_share_pct: round(worstSharePct, 3),
      catalog_reconciliation_share: round(runShare, 6),
      catalog_refresh_reconciliation_share_run_pct: round(runRefreshShare === null ? null : 100 * runRefreshShare, 3),
      catalog_reads_at_connect: 2 * catalogRuns,
      catalog_reconciliation_share_steady_pct: round(steady.sharePct, 3),
      steady_idle_requests_per_workspace_hour: round(steady.total, 1),
      steady_catalog_requests_per_workspace_hour: round(steady.catalog, 3),
      steady_reconciliation_requests_per_workspace_hour: round(steady.reconciliation, 3),
      steady_admins_requests_per_workspace_hour: round(steady.admins, 1),
      steady_default_search_requests_per_workspace_hour: round(steady.defaultSearch, 2),
      steady_deleted_list_requests_per_workspace_hour: round(steady.deletedList, 2),
      ...prefixed('requests_run_', runKinds),
      ...prefixed('requests_steady_', steadyKinds),
      machine_busy_cores: round(worker.sampler.machineBusyCores(steadyFrom, steadyTo), 2),
      ...prefixed('steady_cpu_percent_', worker.sampler.othersPercent(steadyFrom, steadyTo)),
      setup_seconds: round((backfilledAt - t0) / 1000, 1),
      setup_worker_cpu_percent: round(worker.sampler.cpuPercent(t0, backfilledAt), 1),
      setup_machine_busy_cores: round(worker.sampler.machineBusyCores(t0, backfilledAt), 2),
      ...prefixed('setup_cpu_percent_', worker.sampler.othersPercent(t0, backfilledAt)),
    };
    const goals: Goal[] = [
      { key: 'worker_cpu_percent', op: '<=', target: 50 },
      { key: 'worker_rss_mb', op: '<=', target: 1024 },
      { key: 'history_events_per_workspace_hour', op: '<=', target: 200 },
      { key: 'agent_state_freshness_p99_s', op: '<=', target: 16 },
      // The default loop's cadence plus 30 s: 330 s at the real 5 minutes, 90 s at the quick run's 60 s.
      { key: 'default_freshness_p99_s', op: '<=', target: cadenceSec + 30 },
      // Issue 9: teams/tags refresh and the deletion reconciliation add at most 0.5 % requests.
      { key: 'catalog_reconciliation_share_pct', op: '<=', target: 0.5 },
    ];
    const sec = (t: number) => (t - t0) / 1000;
    const cpuSeries = worker.sampler.samples.map((s, i, all) => {
      const prev = all[Math.max(0, i - 5)];
      return [sec(s.t), prev && s.t > prev.t ? ((s.cpuSec - prev.cpuSec) / ((s.t - prev.t) / 1000)) * 100 : 0] as [number, number];
    });
    const svg = renderSvg(
      `fleet: ${n} workspaces on one worker · CPU ${summary.worker_cpu_percent} % · RSS ${summary.worker_rss_mb} MB · agent p99 ${summary.agent_state_freshness_p99_s} s`,
      [
        {
          title: 'worker process (CPU: 5-s average)',
          xLabel: 'seconds since the first connect',
          yLabel: '% of one core / MB',
          series: [
            { name: 'CPU %', color: '#e45756', kind: 'line', points: cpuSeries },
            { name: 'RSS MB', color: '#72b7b2', kind: 'line', points: worker.sampler.samples.map((s) => [sec(s.t), s.rssMb]) },
            ...(heap.length ? [{ name: 'V8 heap used MB', color: '#b279a2', kind: 'line' as const, points: heap.map((h) => [sec(h.t), h.used] as [number, number]) }] : []),
          ],
          vlines: [
            { at: sec(backfilledAt), label: 'backfills done' },
            { at: sec(steadyFrom), label: 'steady' },
            { at: sec(steadyTo), label: 'end' },
          ],
          hlines: [{ at: 50, label: 'CPU goal 50 %' }],
          yMin: 0,
        },
        {
          title: 'agent state: away flip → row in agent_states',
          xLabel: 'seconds since the first connect (flip time)',
          yLabel: 'seconds',
          series: [{ name: 'freshness', color: '#4c78a8', kind: 'points', points: agentChanges.filter((c) => c.observedAt !== null).map((c) => [sec(c.at), ((c.observedAt ?? 0) - c.at) / 1000]) }],
          hlines: [{ at: 16, label: 'goal p99 16 s' }, ...(summary.agent_state_freshness_p99_s !== null ? [{ at: summary.agent_state_freshness_p99_s, label: `p99 ${summary.agent_state_freshness_p99_s} s`, color: '#333' }] : [])],
          yMin: 0,
        },
        {
          title: 'default loop: conversation created/updated → row in tickets',
          xLabel: 'seconds since the first connect (change time)',
          yLabel: 'seconds',
          series: [{ name: 'freshness', color: '#54a24b', kind: 'points', points: ticketChanges.filter((c) => c.observedAt !== null).map((c) => [sec(c.at), ((c.observedAt ?? 0) - c.at) / 1000]) }],
          hlines: o.quick ? [] : [{ at: 330, label: 'goal p99 330 s' }],
          yMin: 0,
        },
      ],
      `${new Date().toISOString().slice(0, 10)} · ${o.quick ? 'quick' : 'full'} run · default cadence ${cadenceSec} s, agent_states 15 s · latency 60 ms + jitter < 40 ms`,
    );
    return {
      summary,
      goals,
      notes: [
        o.quick
          ? `Quick mode: ${n} workspaces (onboarding 1,000 of mixed sizes takes several minutes on this 2-core machine) and the default loop every 60 s (agent states at the real 15 s); the full run uses 1,000 workspaces and the real 5-minute cadence.`
          : 'Real cadences (default loop 5 min, agent states 15 s).',
        `Workspaces of mixed sizes (${Math.min(...sizes)} to ${Math.max(...sizes)} conversations, median ${[...sizes].sort((x, y) => x - y)[Math.floor(sizes.length / 2)]}; most small, a few large), the default backfill tuning, every app at 10,000 requests/min. Steady period: ${steadySec} s (two default cadences) starting 5 s after every backfill child completed; worker CPU is (utime+stime) from /proc over it. worker_rss_mb is the peak VmRSS over the whole run (onboarding included), worker_rss_steady_mb the peak in the steady period. steady_cpu_percent_temporal_server is this stack's dev server (found by its port among this process's descendants); steady_cpu_percent_postgres counts every postgres process on the machine.`,
        `${o.quick ? 'history_events_steady_per_workspace_hour (quick) = history events added during the steady period to ' + HISTORY_SAMPLE + ' random workspace workflows (describe().historyLength before/after) ÷ the default-loop runs they completed in it (status query), × 12 runs an hour (the real 5-minute cadence).' : 'history_events_steady_per_workspace_hour = mean over ' + HISTORY_SAMPLE + ' random workspace workflows of the history events added during the steady period (describe().historyLength before/after; exactly two 5-minute cadences), scaled to an hour.'} history_events_per_workspace_hour adds the hourly restart of the agent-state poller, which a period shorter than an hour does not see: poller_restart_events is measured on ${PROBES} probe workspaces whose poller restarts every ${probePollerRunMs / 1000} s, from their histories (the old run's started and completed events, the workflow task its completion wakes, and the command batch that schedules the next run), mean over poller_restarts_measured restarts in the steady period.`,
        `Requests by kind: requests_run_* count every request the simulator answered from its start (onboarding, backfills, steady state), requests_steady_* those of the steady period; reconciliation_search is the deletion reconciliation's own count (table reconciliation_requests) taken out of search (the same endpoint; 0 here: every fleet workspace has GET /conversations/deleted), other is GET /me, OAuth and unrouted requests. catalog_reconciliation_share = (teams + tags + reconciliation_search) ÷ all requests of the whole run (a fraction), every teams/tags read included: in a short run of mostly tiny workspaces it is dominated by the one GET /teams + GET /tags each workspace's syncCatalog sends at connect (catalog_reads_at_connect = 2 × the successful catalog runs in the status query), onboarding that predates issue 9 and amortizes over the workspace's life; it is reported, not judged. catalog_refresh_reconciliation_share_run_pct leaves those connect reads out: the reads for unknown ids during the backfills, any periodic read, and reconciliation searches, ÷ all requests of the run (in %; backfills dilute it). catalog_reconciliation_share_steady_pct is the share of an idle workspace after the backfills, at the real cadences, per workspace-hour: GET /admins as measured in the steady period; default-loop searches measured per default run × ${3600 / DEFAULT_CADENCE_SEC} runs an hour; the deleted-list read (${3_600_000 / DELETIONS_EVERY_MS}/h) and the periodic catalog read (teams and tags every ${CATALOG_REFRESH_MS / 3_600_000} h: ${round((2 * 3_600_000) / CATALOG_REFRESH_MS, 3)}/h) at their schedules' rates, because a ${steadySec}-s window is shorter than their periods, plus every teams/tags read the steady period did see (reads for unknown ids; erring high); reconciliation searches as measured; conversation details left out (an idle workspace sends none; leaving them out only raises the share). catalog_reconciliation_share_pct, the judged figure, is the larger of catalog_refresh_reconciliation_share_run_pct and catalog_reconciliation_share_steady_pct (in %).`,
        'Agent states: admins flip away mode in the simulator at random (Poisson, 2/s over the fleet); freshness is the time from the flip to the first 100-ms poll of Postgres that shows the new state in agent_states. Unobserved flips count as infinitely late.',
        `Default loop: a conversation is created or updated (alternately, 1/s over the fleet) during the first ${defaultChangesUntilSec} s of the steady period; freshness is the time until its row in tickets shows the new updated_at; its goal is the cadence + 30 s (${cadenceSec + 30} s here).`,
      ],
      details: {
        historySample: sample.map((id, i) => ({ id, events: events[i] })),
        sizes,
        pollerRestartCosts: restartCosts,
        changes: changes.map((c) => ({ kind: c.kind, workspaceId: c.workspaceId, key: c.key, at: c.at, seconds: c.observedAt === null ? null : (c.observedAt - c.at) / 1000 })),
        cpu: worker.sampler.samples,
        heap,
        t0,
        connectedAt,
        backfilledAt,
        steadyFrom,
        steadyTo,
      },
      svg,
    };
  } finally {
    await stack.stop();
  }
}
