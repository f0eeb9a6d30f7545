import { workspaceStatus } from '../../../src/cli/commands';
import { countTickets } from '../../../src/repositories/tickets';
import { backfillChildId } from '../../../workflows/ids';
import type { Figure, Goal, ScenarioOutput } from '../report';
import { round } from '../report';
import { renderSvg, type Panel } from '../svg';
import { log, REALISTIC_LATENCY, sleep, startStack, waitUntil } from '../stack';
import { WindowCounter, type WindowCount } from '../windows';

const WS = 'bench-backfill';
const WINDOW_MS = 10_000;
const QUICK_10K_CONVERSATIONS = 14_000;
/** A utilization over fewer whole windows says more about where the boundaries fell than about the sync. */
export const MIN_STEADY_WINDOWS = 5;

export interface BackfillOptions {
  quick: boolean;
  /** Requests per minute of the simulated Intercom app; default both 1,000 and 10,000. */
  tiers?: number[];
  cpuProf?: boolean;
}

interface TierPlan {
  tier: number;
  conversations: number;
  /** null: the whole backfill; else seconds of full rate-limit windows to measure before stopping. */
  sliceSec: number | null;
}

export interface TierResult {
  summary: Record<string, Figure>;
  windows: WindowCount[];
  steady: { fromMs: number; toMs: number };
  progress: Array<{ t: number; stored: number }>;
  cpu: Array<{ t: number; cpuPercent: number; rssMb: number }>;
  t0: number;
  budget: number;
}

function plans(o: BackfillOptions): TierPlan[] {
  const tiers = o.tiers ?? [1000, 10_000];
  return tiers.map((tier) => {
    if (!o.quick) return { tier, conversations: 24_000, sliceSec: null };
    // Quick: a whole backfill at the 10k tier, large enough for at least five full steady windows (~12,000
    // stored ≈ 7 windows of 1,666); a 2-minute steady slice of a larger one at 1k.
    return tier >= 10_000 ? { tier, conversations: QUICK_10K_CONVERSATIONS, sliceSec: null } : { tier, conversations: 3_000, sliceSec: 120 };
  });
}

async function runTier(p: TierPlan, o: BackfillOptions): Promise<TierResult> {
  const budget = Math.floor((p.tier * WINDOW_MS) / 60_000);
  log(`backfill @ ${p.tier}/min (${budget} per 10 s): ${p.conversations} conversations, ${p.sliceSec === null ? 'whole backfill' : `${p.sliceSec} s steady slice`}`);
  const stack = await startStack({
    scenario: `backfill_${p.tier}`,
    simulator: { seed: 7, ratePerMinute: p.tier, ...REALISTIC_LATENCY, workspaces: [{ id: WS, name: 'Backfill Co', region: 'us', conversations: p.conversations }] },
    cpuProf: o.cpuProf,
  });
  try {
    const worker = await stack.spawnWorker();
    const counter = new WindowCounter(stack.sim, WS, WINDOW_MS).start();
    const progress: Array<{ t: number; stored: number }> = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        progress.push({ t: Date.now(), stored: await countTickets(stack.t.db, WS).catch(() => progress[progress.length - 1]?.stored ?? 0) });
        await sleep(1000);
      }
    })();
    // Connect 1 s into a rate-limit window: the start-up burst (catalog, first pages, the limiter learning the
    // limit) then never straddles a window boundary, where grants in the limiter's 300-ms guard zone are
    // charged to both windows and would lower the first full window's count (run-to-run noise, not steady state).
    await sleep((WINDOW_MS + 1000 - (Date.now() % WINDOW_MS)) % WINDOW_MS);
    const t0 = Date.now();
    await stack.connect(WS);
    const child = stack.env.client.workflow.getHandle(backfillChildId(WS));
    const started = await waitUntil('the backfill child to start', async () => (await child.describe()).startTime, 60_000, 200);
    const childStartMs = started.getTime();
    let endMs: number;
    let seconds: number;
    if (p.sliceSec === null) {
      let lastLog = 0;
      await waitUntil(
        'the backfill to finish',
        async () => {
          const v = await workspaceStatus(stack.env.client, WS);
          if (Date.now() - lastLog > 30_000) {
            lastLog = Date.now();
            log(`  ${v?.jobs.backfill.percent ?? 0}% · ${v?.jobs.backfill.conversationsStored ?? 0} stored`);
          }
          return v?.jobs.backfill.done === true;
        },
        p.conversations * 200 + 600_000,
        500,
      );
      const d = await child.describe();
      endMs = (d.closeTime ?? new Date()).getTime();
      seconds = (endMs - t0) / 1000;
    } else {
      const firstFull = Math.ceil(childStartMs / WINDOW_MS) * WINDOW_MS;
      endMs = firstFull + p.sliceSec * 1000;
      await sleep(endMs - Date.now() + 300);
      seconds = (endMs - firstFull) / 1000;
    }
    // Let the last window's sample and the last progress sample land.
    await sleep(Math.max(0, Math.ceil(endMs / WINDOW_MS) * WINDOW_MS - Date.now()) + 1200);
    counter.stop();
    sampling = false;
    await sampler;
    await worker.stop();

    const stats = stack.sim.stats();
    const steadyFrom = p.sliceSec === null ? childStartMs : Math.ceil(childStartMs / WINDOW_MS) * WINDOW_MS;
    const steady = counter.fullWindowsWithin(steadyFrom, endMs);
    const sent = steady.reduce((n, w) => n + w.requests, 0);
    const utilization = steady.length ? sent / (steady.length * budget) : null;
    const lastSteady = steady[steady.length - 1];
    const firstSteady = steady[0];
    const steadyFromMs = firstSteady?.startMs ?? steadyFrom;
    const steadyToMs = lastSteady ? lastSteady.startMs + WINDOW_MS : endMs;

    let conversations: number;
    let convRequests: number;
    let allRequests: number;
    let cps: number;
    let steadyOnly: number | null = null;
    if (p.sliceSec === null) {
      conversations = await countTickets(stack.t.db, WS);
      convRequests = (stats.byEndpoint['POST /conversations/search'] ?? 0) + (stats.byEndpoint['GET /conversations/{id}'] ?? 0);
      allRequests = stats.byWorkspace[WS]?.requests ?? 0;
      cps = conversations / seconds;
    } else {
      // Stopped mid-backfill. Rows still buffered in the worker are not in Postgres yet, so conversations =
      // distinct conversations fetched successfully (the simulator's counter; nothing is in flight at a boundary
      // once a window's budget is spent). The judged figure counts from the start of the run (the count request
      // and the first, small windows included); the steady-only figure is reported beside it, not judged.
      const at = lastSteady ?? counter.windows[counter.windows.length - 1];
      const before = counter.windows.find((w) => w.startMs + WINDOW_MS === steadyFromMs);
      const steadyFetched = (at?.cumFetched ?? 0) - (before?.cumFetched ?? 0);
      const steadyRequests = (at?.cumSearch ?? 0) - (before?.cumSearch ?? 0) + (at?.cumDetails ?? 0) - (before?.cumDetails ?? 0);
      steadyOnly = steadyFetched ? steadyRequests / steadyFetched : null;
      conversations = at?.cumFetched ?? 0;
      convRequests = (at?.cumSearch ?? 0) + (at?.cumDetails ?? 0);
      allRequests = at?.cumRequests ?? 0;
      cps = steadyFetched / seconds;
    }
    const cpu = worker.sampler.samples.map((s, i, all) => {
      const prev = all[i - 1];
      return { t: s.t, rssMb: s.rssMb, cpuPercent: prev ? ((s.cpuSec - prev.cpuSec) / ((s.t - prev.t) / 1000)) * 100 : 0 };
    });
    const summary: Record<string, Figure> = {
      scenario: 'backfill',
      tier: `${p.tier}/min`,
      mode: p.sliceSec === null ? 'whole backfill' : `${p.sliceSec} s slice of a backfill`,
      workspace_conversations: p.conversations,
      conversations,
      seconds: round(seconds, 1),
      conversations_per_second: round(cps, 1),
      utilization: round(utilization, 4),
      steady_windows: steady.length,
      budget_per_window: budget,
      requests_429: stats.requests429,
      requests_per_conversation: conversations ? round(convRequests / conversations, 4) : null,
      requests_per_conversation_all_endpoints: conversations ? round(allRequests / conversations, 4) : null,
      ...(p.sliceSec === null ? {} : { requests_per_conversation_steady_only: round(steadyOnly, 4) }),
      search_requests: p.sliceSec === null ? (stats.byEndpoint['POST /conversations/search'] ?? 0) : (lastSteady?.cumSearch ?? null),
      worker_rss_mb: round(worker.sampler.peakRssMb(), 1),
      worker_cpu_percent: round(worker.sampler.cpuPercent(steadyFromMs, steadyToMs), 1),
      machine_busy_cores: round(worker.sampler.machineBusyCores(steadyFromMs, steadyToMs), 2),
      ...Object.fromEntries(Object.entries(worker.sampler.othersPercent(steadyFromMs, steadyToMs)).map(([k, v]) => [`cpu_percent_${k}`, v])),
    };
    log(`  ${JSON.stringify(summary)}`);
    return { summary, windows: counter.windows, steady: { fromMs: steadyFromMs, toMs: steadyToMs }, progress, cpu, t0, budget };
  } finally {
    await stack.stop();
  }
}

function panels(r: TierResult): Panel[] {
  const sec = (t: number) => (t - r.t0) / 1000;
  const tier = String(r.summary.tier);
  return [
    {
      title: `${tier}: requests per 10-s window`,
      xLabel: 'seconds since connect (bar = window start)',
      yLabel: 'requests',
      series: [
        { name: 'all requests', color: '#4c78a8', kind: 'bar', barWidth: 10, points: r.windows.map((w) => [sec(w.startMs) + 5, w.requests]) },
        { name: 'search + catalog + polls', color: '#f58518', kind: 'bar', barWidth: 10, points: r.windows.map((w) => [sec(w.startMs) + 5, w.search + w.other]) },
      ],
      hlines: [{ at: r.budget, label: `budget ${r.budget}` }],
      vlines: [
        { at: sec(r.steady.fromMs), label: 'steady from' },
        { at: sec(r.steady.toMs), label: 'to' },
      ],
      yMin: 0,
    },
    {
      title: `${tier}: conversations stored · worker CPU`,
      xLabel: 'seconds since connect',
      yLabel: 'tickets in Postgres',
      series: [{ name: 'stored', color: '#54a24b', kind: 'line', points: r.progress.map((s) => [sec(s.t), s.stored]) }],
      yMin: 0,
    },
    {
      title: `${tier}: worker process`,
      xLabel: 'seconds since connect',
      yLabel: '% of one core / MB',
      series: [
        { name: 'CPU %', color: '#e45756', kind: 'line', points: r.cpu.map((s) => [sec(s.t), s.cpuPercent]) },
        { name: 'RSS MB', color: '#72b7b2', kind: 'line', points: r.cpu.map((s) => [sec(s.t), s.rssMb]) },
      ],
      yMin: 0,
    },
  ];
}

export const backfillGoals: Goal[] = [
  { key: 'utilization', op: '>=', target: 0.95, requires: { key: 'steady_windows', min: MIN_STEADY_WINDOWS, what: 'steady windows' } },
  { key: 'requests_429', op: '<=', target: 0 },
  { key: 'requests_per_conversation', op: '<=', target: 1.01 },
];

export async function backfillScenario(o: BackfillOptions): Promise<ScenarioOutput> {
  // Quick: the tiers run side by side (separate stacks, both bound by their budgets, not by CPU) so the whole
  // scenario fits in three minutes; full runs go one after another.
  const results: TierResult[] = o.quick ? await Promise.all(plans(o).map((p) => runTier(p, o))) : [];
  if (!o.quick) for (const p of plans(o)) results.push(await runTier(p, o));
  const tiers = results.map((r) => r.summary);
  const primary = results[results.length - 1]?.summary ?? {};
  // Over several tiers the worst tier decides, and a tier without the figure makes it missing (never skipped).
  const nums = (k: string): number[] | null => {
    const vs = tiers.map((t) => t[k]);
    return vs.every((v): v is number => typeof v === 'number' && Number.isFinite(v)) ? vs : null;
  };
  const worst = (k: string, pick: (...v: number[]) => number): number | null => {
    const vs = nums(k);
    return vs && vs.length ? pick(...vs) : null;
  };
  const summary: ScenarioOutput['summary'] =
    results.length === 1
      ? { ...primary }
      : {
          scenario: 'backfill',
          tier: tiers.map((t) => t.tier).join(' + '),
          conversations: primary.conversations ?? null,
          seconds: primary.seconds ?? null,
          conversations_per_second: primary.conversations_per_second ?? null,
          utilization: worst('utilization', Math.min),
          steady_windows: worst('steady_windows', Math.min),
          requests_429: nums('requests_429')?.reduce((a, b) => a + b, 0) ?? null,
          requests_per_conversation: worst('requests_per_conversation', Math.max),
          worker_rss_mb: worst('worker_rss_mb', Math.max),
          tiers,
        };
  const notes = [
    'steady = the whole 10-s rate-limit windows (the simulator\'s epoch-aligned windows) that lie entirely between the start of the backfill child workflow and its completion (or the end of the slice); the partial first window (start-up, the limiter learning the limit) and the partial last window (the tail) are excluded.',
    'utilization = requests the workspace sent in the steady windows (every endpoint: search, details, the agent-state poller, the catalog) ÷ (steady windows × budget per window).',
    `utilization is judged only over at least ${MIN_STEADY_WINDOWS} steady windows: fewer fail the goal ("only N steady windows").`,
    'requests_per_conversation = (search + detail requests) ÷ conversations, counted from the start of the run (the count request and the first, small windows included); requests_per_conversation_all_endpoints also counts /me, the catalog and the agent-state polls (one every 15 s) made during the run.',
    'conversations = tickets in Postgres at the end of a whole backfill (the simulated workspace reaches 5.5 years back and ~10 % of its conversations are ignored, so fewer than workspace_conversations); for a slice, distinct conversations fetched successfully from the start to the end of its last steady window (rows still buffered in the worker are not in Postgres yet). A slice also reports requests_per_conversation_steady_only (its steady windows alone, which a long backfill approaches; not judged).',
  ];
  if (results.length > 1) notes.push('Top level with several tiers: conversations, seconds and conversations_per_second are the last tier\'s; utilization is the lowest, requests_429 the sum, requests_per_conversation and worker_rss_mb the highest over the tiers; every tier\'s own figures are under `tiers`.');
  if (o.quick) notes.push(`Quick mode: ${QUICK_10K_CONVERSATIONS.toLocaleString('en-US')} conversations as a whole backfill at 10,000/min (at least ${MIN_STEADY_WINDOWS} full windows); at 1,000/min a 120-s steady slice of a 3,000-conversation backfill (stopped before it finishes); the two tiers run at the same time, each with its own database, dev server, simulator and worker process (machine_busy_cores and cpu_percent_bench_and_simulator then cover both).`);
  const svg = renderSvg(
    `backfill: ${tiers.map((t) => `${t.tier} → utilization ${t.utilization}, ${t.conversations_per_second} conv/s`).join(' · ')}`,
    results.flatMap(panels),
    `${new Date().toISOString().slice(0, 10)} · ${o.quick ? 'quick' : 'full'} run · latency 60 ms + jitter < 40 ms`,
  );
  return {
    summary,
    goals: backfillGoals,
    notes,
    details: { tiers: results.map((r) => ({ summary: r.summary, steady: r.steady, t0: r.t0, windows: r.windows, progress: r.progress, cpu: r.cpu })) },
    svg,
  };
}
