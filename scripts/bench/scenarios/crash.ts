import { workspaceStatus } from '../../../src/cli/commands';
import { countTickets } from '../../../src/repositories/tickets';
import { DEFAULT_BACKFILL } from '../../../workflows/workspace';
import type { Goal, ScenarioOutput } from '../report';
import { round } from '../report';
import { renderSvg } from '../svg';
import { log, REALISTIC_LATENCY, sleep, startStack, waitUntil } from '../stack';

const WS = 'bench-crash';

export async function crashScenario(o: { quick: boolean; cpuProf?: boolean }): Promise<ScenarioOutput> {
  const conversations = o.quick ? 3_000 : 8_000;
  const killAtFraction = 0.4;
  const stack = await startStack({
    scenario: 'crash',
    simulator: { seed: 3, ratePerMinute: 10_000, ...REALISTIC_LATENCY, workspaces: [{ id: WS, name: 'Crash Co', region: 'us', conversations }] },
    cpuProf: o.cpuProf,
  });
  try {
    const first = await stack.spawnWorker();
    const t0 = Date.now();
    await stack.connect(WS);
    const ws = await stack.t.db.selectFrom('workspaces').select('connected_at').where('id', '=', WS).executeTakeFirstOrThrow();
    const connectedSec = Math.floor(ws.connected_at.getTime() / 1000);
    const fromSec = connectedSec - Math.round(DEFAULT_BACKFILL.years * 365.25 * 86400);
    const expected = stack.sim.workspace(WS).expected().filter((e) => e.createdAt >= fromSec && e.createdAt < connectedSec).length;

    const samples: Array<{ t: number; stored: number; details: number }> = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const stored = await countTickets(stack.t.db, WS).catch(() => samples[samples.length - 1]?.stored ?? 0);
        samples.push({ t: Date.now(), stored, details: stack.sim.stats().byEndpoint['GET /conversations/{id}'] ?? 0 });
        await sleep(250);
      }
    })();

    await waitUntil('the backfill to be well under way', async () => (await countTickets(stack.t.db, WS)) >= expected * killAtFraction, 300_000, 50);
    const killAt = Date.now();
    await first.kill();
    const storedAtKill = await countTickets(stack.t.db, WS);
    const detailsAtKill = stack.sim.stats().byEndpoint['GET /conversations/{id}'] ?? 0;
    log(`crash: SIGKILL at ${storedAtKill}/${expected} stored (${detailsAtKill} detail requests so far)`);
    const second = await stack.spawnWorker();
    const restartAt = Date.now();
    await waitUntil('the backfill to finish', async () => (await workspaceStatus(stack.env.client, WS))?.jobs.backfill.done === true, 600_000, 250);
    const doneAt = Date.now();
    sampling = false;
    await sampler;
    await second.stop();

    const stats = stack.sim.stats();
    const fetches = Object.values(stats.conversationFetches);
    const refetched = fetches.reduce((n, c) => n + Math.max(0, c - 1), 0);
    const stored = await countTickets(stack.t.db, WS);
    const resumed = samples.find((s) => s.t > restartAt && s.details > detailsAtKill);
    const summary = {
      scenario: 'crash',
      refetched_conversations: refetched,
      conversations: stored,
      expected_conversations: expected,
      stored_at_kill: storedAtKill,
      detail_requests: stats.byEndpoint['GET /conversations/{id}'] ?? 0,
      requests_429: stats.requests429,
      heartbeat_timeout_s: DEFAULT_BACKFILL.heartbeatTimeoutMs / 1000,
      seconds_kill_to_resume: resumed ? round((resumed.t - killAt) / 1000, 1) : null,
      seconds_total: round((doneAt - t0) / 1000, 1),
    };
    const goals: Goal[] = [{ key: 'refetched_conversations', op: '<=', target: 150 }];
    const sec = (t: number) => (t - t0) / 1000;
    const svg = renderSvg(
      `crash: SIGKILL at ${Math.round((storedAtKill / expected) * 100)} % → ${refetched} conversations fetched twice`,
      [
        {
          title: 'tickets stored and detail requests',
          xLabel: 'seconds since connect',
          yLabel: 'count',
          series: [
            { name: 'tickets in Postgres', color: '#54a24b', kind: 'line', points: samples.map((s) => [sec(s.t), s.stored]) },
            { name: 'detail requests', color: '#4c78a8', kind: 'line', points: samples.map((s) => [sec(s.t), s.details]) },
          ],
          vlines: [
            { at: sec(killAt), label: 'SIGKILL + new worker', color: '#c00' },
            ...(resumed ? [{ at: sec(resumed.t), label: 'resumed', color: '#555' }] : []),
          ],
          hlines: [{ at: expected, label: `expected ${expected}`, color: '#54a24b' }],
          yMin: 0,
        },
      ],
      `${new Date().toISOString().slice(0, 10)} · ${o.quick ? 'quick' : 'full'} run · 10,000/min · latency 60 ms + jitter < 40 ms`,
    );
    return {
      summary,
      goals,
      notes: [
        'refetched_conversations = Σ over conversations of (successful GET /conversations/{id} − 1), from the simulator: details fetched before the kill but not yet committed to Postgres, fetched again by the retried window.',
        `The worker is killed with SIGKILL once ${killAtFraction * 100} % of the expected tickets are stored; a new worker process starts at once. The killed activity is retried after its heartbeat timeout and resumes from its last heartbeat checkpoint; stored conversations are skipped (unchanged updated_at).`,
        `conversations must equal expected_conversations (nothing lost): ${stored === expected ? 'yes' : `NO (${stored} vs ${expected})`}.`,
      ],
      details: { samples, killAt, restartAt, doneAt, t0, fetchHistogram: histogram(fetches) },
      svg,
    };
  } finally {
    await stack.stop();
  }
}

function histogram(counts: number[]): Record<string, number> {
  const h: Record<string, number> = {};
  for (const c of counts) h[String(c)] = (h[String(c)] ?? 0) + 1;
  return h;
}
