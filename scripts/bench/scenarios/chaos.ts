import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { connectWorkspace, type ConnectDeps } from '../../../src/app/connectWorkspace';
import { sendCommand, workspaceStatus } from '../../../src/cli/commands';
import { createTokenCipher } from '../../../src/crypto/tokenCipher';
import { createDb } from '../../../src/db/connection';
import { createIntercomHttp } from '../../../src/intercom/client';
import { countTickets } from '../../../src/repositories/tickets';
import { startSimulator } from '../../../testkit/simulator';
import { Rng } from '../../../testkit/simulator/random';
import type { WorkspaceStatusView } from '../../../workflows/types';
import { workspaceWorkflowId } from '../../../workflows/ids';
import { DEFAULT_BACKFILL } from '../../../workflows/workspace';
import { DEFAULT_LOOKBACK_SEC } from '../../../activities/conversations';
import { agentMismatches, choosePoison, compareRows } from '../chaosOutcome';
import { RestartableTemporal, SupervisedWorker, terminateBackends, withAppName } from '../chaosStack';
import { startFaultProxy, type FaultProxy, type FaultRates } from '../faultProxy';
import { zeroGoals, type Goal, type ScenarioOutput } from '../report';
import { round } from '../report';
import { renderSvg } from '../svg';
import { freshDatabase, log, REALISTIC_LATENCY, sleep, waitUntil, workflowBundle } from '../stack';

const WS = 'bench-chaos';
const SEED = 8;

/** 5 % 5xx as the issue asks; the rest are chosen so that every kind fires a few times in a quick run. */
const RATES: FaultRates = { serverError: 0.05, timeout: 0.004, malformedSearch: 0.05, malformedDetail: 0.01, malformedOther: 0.03 };

/** What one disruption (a SIGKILL, a crash, a round of terminations, a server restart, a pause) may cost: a search page. */
const REFETCH_PER_DISRUPTION = 150;

interface Plan {
  conversations: number;
  ratePerMinute: number;
  poisonPerKind: number;
  stormDeadlineMs: number;
  convergeDeadlineMs: number;
  observeMs: number;
  /** Pause, SIGKILL and server restart come at 15 %, 35 % and 60 % of the backfill, or at these times at the latest. */
  latestMs: [number, number, number];
}

const PLANS: Record<'quick' | 'full', Plan> = {
  quick: { conversations: 2_000, ratePerMinute: 2_000, poisonPerKind: 2, stormDeadlineMs: 130_000, convergeDeadlineMs: 90_000, observeMs: 5_000, latestMs: [25_000, 50_000, 80_000] },
  full: { conversations: 8_000, ratePerMinute: 3_000, poisonPerKind: 4, stormDeadlineMs: 600_000, convergeDeadlineMs: 120_000, observeMs: 10_000, latestMs: [60_000, 180_000, 300_000] },
};

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T | null> =>
  Promise.race([p, new Promise<null>((r) => setTimeout(() => r(null), ms).unref())]).catch(() => null);

/**
 * Backfill + default loop + agent poller of one workspace while faults are injected at random: HTTP faults by a
 * proxy in front of the simulator, database backend terminations, a worker SIGKILL and a Temporal dev-server
 * restart; pause and disconnect are sent in the middle of it. See the README's Performance section.
 */
export async function chaosScenario(o: { quick: boolean }): Promise<ScenarioOutput> {
  const plan = PLANS[o.quick ? 'quick' : 'full'];
  const rng = new Rng(SEED);
  const started = Date.now();
  const [t, sim, temporal, bundlePath] = await Promise.all([
    freshDatabase('chaos'),
    startSimulator({ seed: SEED, ratePerMinute: plan.ratePerMinute, ...REALISTIC_LATENCY, workspaces: [{ id: WS, name: 'Chaos Co', region: 'us', conversations: plan.conversations }] }),
    RestartableTemporal.start(),
    workflowBundle(),
  ]);
  const proxy = await startFaultProxy({ upstream: sim.baseUrl, seed: SEED + 1, rates: RATES });
  proxy.randomFaults = false; // the storm starts once the workspace is connected
  const benchDb = createDb({ url: withAppName(t.url), poolSize: 4 });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  const http = createIntercomHttp();
  const key = randomBytes(32).toString('base64');
  const taskQueue = `bench-chaos-${randomBytes(3).toString('hex')}`;
  const worker = new SupervisedWorker({ databaseUrl: t.url, temporalAddress: temporal.address, taskQueue, key, apiBaseUrl: proxy.url, bundlePath });
  log(`chaos: stack up in ${((Date.now() - started) / 1000).toFixed(1)} s (database ${new URL(t.url).pathname.slice(1)}, temporal ${temporal.address} on ${temporal.dataDir}, proxy ${proxy.url} → ${sim.baseUrl})`);

  const events: Array<{ t: number; what: string }> = [];
  const event = (what: string) => {
    events.push({ t: Date.now(), what });
    log(`chaos: ${what}`);
  };
  let storming = false;
  const background: Array<Promise<void>> = [];
  const samples: Array<{ t: number; stored: number; arrivals: number }> = [];
  let terminationRounds = 0;
  let backendsTerminated = 0;
  let temporalRestarts = 0;
  let liveTicks = 0;

  try {
    await worker.start();
    const ws = sim.workspace(WS);
    const deps: ConnectDeps = {
      db: t.db,
      cipher: createTokenCipher(key),
      http,
      temporal: client,
      taskQueue,
      apiBaseUrlOverride: proxy.url,
      workflowOptions: { cadence: { defaultMs: 15_000, agentStatesMs: 2_000 }, backfill: { targetPerWindow: 300 } },
    };
    const nowSec = Math.floor(Date.now() / 1000);
    const fromSecGuess = nowSec - Math.round(DEFAULT_BACKFILL.years * 365.25 * 86400);
    const poison = choosePoison(ws, fromSecGuess, nowSec, plan.poisonPerKind, (n) => rng.int(0, n - 1));
    for (const [id, kind] of poison) proxy.poison.set(id, kind);
    const poisonedIds = new Set(poison.keys());
    const liveCandidates = ws.expected().map((e) => e.conversationId).filter((id) => !poisonedIds.has(id));

    await connectWorkspace(deps, `tok-${WS}`);
    const t0 = Date.now();
    const row = await t.db.selectFrom('workspaces').select('connected_at').where('id', '=', WS).executeTakeFirstOrThrow();
    const connectedSec = Math.floor(row.connected_at.getTime() / 1000);
    const fromSec = connectedSec - Math.round(DEFAULT_BACKFILL.years * 365.25 * 86400);
    const expectedBackfill = ws.expected().filter((e) => e.createdAt >= fromSec && e.createdAt < connectedSec).length;
    proxy.randomFaults = true;
    storming = true;
    event(`storm on: ${expectedBackfill} conversations to backfill, ${poison.size} poisoned`);

    const status = () => withTimeout(workspaceStatus(client, WS), 5_000);
    const stored = () => countTickets(benchDb, WS).catch(() => samples[samples.length - 1]?.stored ?? 0);
    const every = (minMs: number, maxMs: number, act: () => Promise<void>) =>
      background.push(
        (async () => {
          for (;;) {
            await sleep(minMs + rng.float() * (maxMs - minMs));
            if (!storming) return;
            await act().catch((err: unknown) => log(`chaos: ${String(err)}`));
          }
        })(),
      );
    every(1_000, 1_000, async () => {
      samples.push({ t: Date.now(), stored: await stored(), arrivals: proxy.arrivals.length });
    });
    // A database restart is not one instant: each round terminates every backend 5 times, 200 ms apart, so
    // connections being opened or checked out meanwhile are hit too.
    every(8_000, 14_000, async () => {
      let n = 0;
      for (let i = 0; i < 5; i++) {
        if (i) await sleep(200);
        n += await terminateBackends(t.url);
      }
      terminationRounds += 1;
      backendsTerminated += n;
      event(`pg_terminate_backend: ${n} backends`);
    });
    every(10_000, 20_000, async () => {
      const ms = Math.round(1_000 + rng.float() * 1_500);
      proxy.burst429(ms);
      event(`429 burst without rate-limit headers for ${ms} ms`);
    });
    // Live traffic for the default loop and the poller: a new conversation, an update, an away-mode flip.
    let live = true;
    every(3_000, 3_000, async () => {
      if (!live) return;
      ws.createConversation();
      ws.updateConversation(liveCandidates[rng.int(0, liveCandidates.length - 1)] ?? '');
      const admins = ws.admins();
      const a = admins[rng.int(0, admins.length - 1)];
      if (a) ws.setAway(a.id, !a.away_mode_enabled, rng.chance(0.3));
      liveTicks += 1;
    });

    const deadline = t0 + plan.stormDeadlineMs;
    const reached = (fraction: number, atLatestMs: number) =>
      waitUntil(`${fraction * 100} % stored`, async () => Date.now() >= t0 + atLatestMs || Date.now() >= deadline || (await stored()) >= expectedBackfill * fraction, plan.stormDeadlineMs, 250);

    // Pause during the storm, while the default loop is stuck in retries (an outage): from the update's return,
    // no request may reach Intercom.
    await reached(0.15, plan.latestMs[0]);
    const pauseStuck = await outageUntilDefaultLoopRetries(proxy, event);
    const pause = await operatorCommand(client, 'pause', proxy, plan.observeMs);
    proxy.setOutage(false);
    event(`pause: update ${pause.update_ms ?? 'never'} ms, ${pause.requests_after_return} requests after it returned; outage over`);
    await withTimeout(sendCommand(client, WS, 'resume'), 30_000);
    event('resume');

    await reached(0.35, plan.latestMs[1]);
    await worker.kill();
    event('worker SIGKILL; replacement started');

    await reached(0.6, plan.latestMs[2]);
    const downFor = await temporal.restart(1_000);
    temporalRestarts += 1;
    event(`temporal dev server restarted (${downFor} ms down)`);

    const backfillDone = await waitUntil('the backfill to finish', async () => Date.now() >= deadline || (await status())?.jobs.backfill.done === true, plan.stormDeadlineMs, 500)
      .then(async () => (await status())?.jobs.backfill.done === true)
      .catch(() => false);
    event(backfillDone ? 'backfill done' : 'backfill NOT done by the storm deadline');

    // Live traffic stops; the storm goes on. The default loop must catch up through it.
    live = false;
    // Two successful default runs after this point: the first to succeed may have searched before the
    // last live change (a loaded machine makes runs long); the second started after the first ended.
    const runsAtStop = (await status())?.jobs.default.runs ?? 0;
    const converged = await waitUntil(
      'a default-loop run that started after live traffic stopped',
      async () => {
        const s = await status();
        return (s?.jobs.default.runs ?? 0) >= runsAtStop + 2 && s?.jobs.backfill.done === true;
      },
      plan.convergeDeadlineMs,
      500,
    )
      .then(() => true)
      .catch(() => false);
    const agentsWrong = await waitUntil('agent states to match', async () => (await agentMismatches(benchDb, ws, WS)) === 0, 15_000, 500)
      .then(() => 0)
      .catch(() => agentMismatches(benchDb, ws, WS));
    event(`converged: ${converged}; agents mismatched: ${agentsWrong}`);
    const finalStatus = await status();
    const rows = await compareRows(benchDb, ws, WS, { fromSec, connectedSec, lookbackSec: DEFAULT_LOOKBACK_SEC }, poison, proxy.servedSubjectChars);

    // Disconnect during the storm, with every request failing and the default loop stuck in retries.
    const disconnectStuck = await outageUntilDefaultLoopRetries(proxy, event);
    const disconnect = await operatorCommand(client, 'disconnect', proxy, plan.observeMs, async () => {
      const creds = await benchDb.selectFrom('intercom_credentials').select('workspace_id').where('workspace_id', '=', WS).execute().catch(() => null);
      return creds === null ? null : creds.length;
    });
    const closed = await withTimeout(client.workflow.getHandle(workspaceWorkflowId(WS)).describe(), 5_000);
    event(`disconnect: update ${disconnect.update_ms ?? 'never'} ms, ${disconnect.requests_after_return} requests after it returned, workflow ${closed?.status.name ?? 'unknown'}`);
    proxy.setOutage(false);
    storming = false;
    const stormEnd = Date.now();

    const refetched = proxy.refetches(poisonedIds);
    const disruptions = worker.sigkills + worker.crashes.length + terminationRounds + temporalRestarts + 1;
    const faultCounts = Object.fromEntries(Object.entries(proxy.faults).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [`fault_${k}`, v]));
    const summary = {
      scenario: 'chaos',
      backfill_done: backfillDone,
      converged,
      ...faultCounts,
      fault_pg_terminate_rounds: terminationRounds,
      fault_pg_backends_terminated: backendsTerminated,
      fault_worker_sigkill: worker.sigkills,
      fault_temporal_restart: temporalRestarts,
      rows_expected: rows.rows_expected,
      rows_stored: rows.rows_stored,
      rows_lost: rows.rows_lost,
      rows_duplicated: rows.rows_duplicated,
      rows_mismatched: rows.rows_mismatched,
      rows_unexpected: rows.rows_unexpected,
      status_events_expected: rows.status_events_expected,
      status_events_missing: rows.status_events_missing,
      status_events_duplicated: rows.status_events_duplicated,
      poisoned: rows.poisoned,
      poisoned_rows_wrong: rows.poisoned_rows_wrong,
      quarantined: rows.quarantined,
      quarantined_expected: rows.quarantined_expected,
      quarantined_missing: rows.quarantined_missing,
      quarantined_unexpected: rows.quarantined_unexpected,
      refetched_conversations: refetched,
      disruptions,
      agents_mismatched: agentsWrong,
      worker_crashes: worker.crashes.length,
      pause_with_default_loop_in_retries: pauseStuck,
      pause_update_ms: pause.update_ms,
      pause_effect_ms: pause.effect_ms,
      pause_requests_after_return: pause.requests_after_return,
      pause_took_effect_within_1s: pause.effect_ms !== null && pause.effect_ms <= 1000 && pause.requests_after_return === 0,
      disconnect_with_default_loop_in_retries: disconnectStuck,
      disconnect_update_ms: disconnect.update_ms,
      disconnect_effect_ms: disconnect.effect_ms,
      disconnect_requests_after_return: disconnect.requests_after_return,
      disconnect_token_rows_1s_after: disconnect.probe_1s_after,
      disconnect_workflow_status: closed?.status.name ?? null,
      disconnect_took_effect_within_1s: disconnect.effect_ms !== null && disconnect.effect_ms <= 1000 && disconnect.requests_after_return === 0,
      requests_at_proxy: proxy.arrivals.length,
      seconds_storm: round((stormEnd - t0) / 1000, 1),
    };
    const goals: Goal[] = [
      ...zeroGoals('rows_lost', 'rows_duplicated', 'rows_mismatched', 'status_events_missing', 'poisoned_rows_wrong', 'quarantined_missing', 'quarantined_unexpected'),
      { key: 'refetched_conversations', op: '<=', target: REFETCH_PER_DISRUPTION * disruptions },
      ...zeroGoals('agents_mismatched', 'worker_crashes'),
      { key: 'pause_effect_ms', op: '<=', target: 1000 },
      ...zeroGoals('pause_requests_after_return'),
      { key: 'disconnect_effect_ms', op: '<=', target: 1000 },
      ...zeroGoals('disconnect_requests_after_return', 'disconnect_token_rows_1s_after'),
    ];
    const sec = (x: number) => (x - t0) / 1000;
    const perSecond = new Map<number, number>();
    for (const a of proxy.arrivals) if (a.t >= t0) perSecond.set(Math.floor(sec(a.t)), (perSecond.get(Math.floor(sec(a.t))) ?? 0) + 1);
    const svg = renderSvg(
      `chaos: ${rows.rows_lost} lost, ${rows.rows_duplicated} duplicated, ${rows.quarantined}/${rows.quarantined_expected} quarantined, ${worker.crashes.length} worker crashes`,
      [
        {
          title: 'tickets in Postgres',
          xLabel: 'seconds since connect',
          yLabel: 'tickets',
          series: [{ name: 'tickets stored', color: '#54a24b', kind: 'line', points: samples.map((s) => [sec(s.t), s.stored]) }],
          hlines: [{ at: expectedBackfill, label: `backfill range ${expectedBackfill}`, color: '#54a24b' }],
          vlines: events.filter((e) => !e.what.startsWith('pg_') && !e.what.startsWith('429')).map((e) => ({ at: sec(e.t), label: e.what.slice(0, 28), color: '#c00' })),
          yMin: 0,
        },
        {
          title: 'requests reaching the proxy per second',
          xLabel: 'seconds since connect',
          yLabel: 'requests/s',
          series: [{ name: 'arrivals', color: '#4c78a8', kind: 'bar', barWidth: 1, points: [...perSecond.entries()] }],
          vlines: events.filter((e) => e.what.startsWith('pg_') || e.what.startsWith('429')).map((e) => ({ at: sec(e.t), label: e.what.slice(0, 12), color: '#999', dashed: true })),
          yMin: 0,
        },
      ],
      `${new Date().toISOString().slice(0, 10)} · ${o.quick ? 'quick' : 'full'} run · ${plan.ratePerMinute}/min · seed ${SEED}`,
    );
    const missed = ['server_error', 'rate_limit_429', 'malformed_search', 'malformed_detail'].filter((k) => !proxy.faults[k]);
    return {
      summary,
      goals,
      notes: [
        'Faults are injected by an HTTP proxy in front of the simulator (scripts/bench/faultProxy.ts): 5 % of API requests answered 500/502/503, 0.4 % stalled (no headers, or half a body) until the client times out, 429 bursts of 1-2.5 s without X-RateLimit-* headers every 10-20 s, malformed 200 bodies (cut JSON, HTML, wrong shape, a connection dropped mid-body) on 5 % of search pages, 1 % of details and 3 % of other responses; plus rounds of pg_terminate_backend on every non-bench backend of the database every 8-14 s (5 times 200 ms apart per round, as a restart would), one worker SIGKILL (replacement started at once) and one restart of the file-backed Temporal dev server.',
        'Poisoned conversations (chosen by the proxy, served the same way on every request): nul_subject and oversized_subject (1 MiB) must be stored clean (NUL removed, subject capped); oversized_body (32 MiB), bad_timestamp (created_at in year ~318,857) and malformed_detail must be in sync_errors, and sync_errors must hold nothing else.',
        'rows_* compare Postgres with the simulator oracle (every conversation of the last five years, plus those created or updated by live traffic), poisoned ones excluded; rows_mismatched = stored rows that differ from the oracle in any field or status event.',
        'refetched_conversations = Σ over (conversation, served updated_at) of intact detail deliveries − 1, counted at the proxy (poisoned excluded); goal: at most one search page (150) per disruption (SIGKILL, worker crash, termination round, server restart, pause).',
        'pause/disconnect: *_update_ms = sending the update → its return; *_requests_after_return = requests arriving at the proxy after the return, over the observation period; *_effect_ms = the later of the return and the last request that arrived after sending. Both are sent during an outage (every API request answered 503) once a default-loop search (updated_at) has been answered 503, so an activity the workflow awaits is in retries (*_with_default_loop_in_retries says whether one was seen within 20 s).',
        'worker_crashes = worker processes that exited without being told to; a supervisor (as in production) starts another each time so the soak goes on.',
        ...(missed.length ? [`Fault kinds that did not fire in this run: ${missed.join(', ')}.`] : []),
      ],
      details: {
        events: events.map((e) => ({ t: round(sec(e.t), 1), what: e.what })),
        poisoned: Object.fromEntries(poison),
        lists: rows.lists,
        crashes: worker.crashes.map((c) => ({ ...c, at: round(sec(c.at), 1) })),
        final_status: finalStatus as WorkspaceStatusView | null,
        pause,
        disconnect,
        live_ticks: liveTicks,
        worker_starts: worker.starts,
        worker_stderr_tail: worker.stderr().slice(-20),
        rates: RATES,
        samples,
      },
      svg,
    };
  } finally {
    storming = false;
    await Promise.all(background).catch(() => undefined);
    await worker.stop().catch(() => undefined);
    await connection.close().catch(() => undefined);
    await temporal.stop().catch((err: unknown) => log(`temporal stop: ${String(err)}`));
    await proxy.close().catch(() => undefined);
    await sim.stop().catch(() => undefined);
    await http.close().catch(() => undefined);
    await benchDb.destroy().catch(() => undefined);
    await t.destroy().catch(() => undefined);
  }
}

/** Turns on an outage and waits (≤ 20 s) until the default loop's search has been refused in it. */
async function outageUntilDefaultLoopRetries(proxy: FaultProxy, event: (what: string) => void): Promise<boolean> {
  const from = Date.now();
  proxy.setOutage(true);
  event('outage: every API request answered 503');
  const seen = await waitUntil('a default-loop search during the outage', async () => proxy.arrivalsBetween(from, Date.now()).some((a) => a.endpoint === 'search_updated'), 20_000, 100)
    .then(() => true)
    .catch(() => false);
  event(seen ? 'default loop in retries' : 'no default-loop search within 20 s');
  return seen;
}

interface CommandOutcome {
  update_ms: number | null;
  effect_ms: number | null;
  requests_after_return: number | null;
  requests_after_return_by_endpoint: Record<string, number>;
  probe_1s_after: number | null;
}

/**
 * Sends pause or disconnect and watches the proxy: how long the update took, and how many requests still arrived
 * after it returned (over `observeMs`). `probe` runs 1 s after the return (e.g. the token rows left).
 */
async function operatorCommand(client: Client, command: 'pause' | 'disconnect', proxy: { arrivalsBetween(a: number, b: number): Array<{ t: number; endpoint: string }> }, observeMs: number, probe?: () => Promise<number | null>): Promise<CommandOutcome> {
  const sent = Date.now();
  const ok = await withTimeout(sendCommand(client, WS, command).then(() => true), 30_000);
  const returned = Date.now();
  if (!ok) return { update_ms: null, effect_ms: null, requests_after_return: null, requests_after_return_by_endpoint: {}, probe_1s_after: null };
  await sleep(1_000);
  const probed = probe ? await probe() : null;
  await sleep(Math.max(0, observeMs - 1_000));
  const after = proxy.arrivalsBetween(returned, returned + observeMs);
  const since = proxy.arrivalsBetween(sent, returned + observeMs);
  const last = since.length ? (since[since.length - 1]?.t ?? sent) : sent;
  const byEndpoint: Record<string, number> = {};
  for (const a of after) byEndpoint[a.endpoint] = (byEndpoint[a.endpoint] ?? 0) + 1;
  return {
    update_ms: returned - sent,
    effect_ms: Math.max(returned, last) - sent,
    requests_after_return: after.length,
    requests_after_return_by_endpoint: byEndpoint,
    probe_1s_after: probed,
  };
}
