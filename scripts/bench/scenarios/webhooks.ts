import { workspaceStatus } from '../../../src/cli/commands';
import { createTokenCipher } from '../../../src/crypto/tokenCipher';
import { ClientProvider } from '../../../src/intercom/clientProvider';
import { PostgresRateLimiter } from '../../../src/ratelimit';
import { GatedRateLimiter, PostgresGate } from '../../../src/ratelimit/gate';
import { DEFAULT_LIMITS } from '../../../src/server/limits';
import { startHttpServer } from '../../../src/server/listen';
import { WEBHOOK_PATH, webhookRoutes } from '../../../src/server/webhooks';
import type { Goal, ScenarioOutput } from '../report';
import { percentile, round } from '../report';
import { renderSvg } from '../svg';
import { log, REALISTIC_LATENCY, sleep, startStack, waitUntil } from '../stack';

const WS = 'bench-hooks';
const SECRET = 'sim-secret';

interface Change {
  kind: 'conversation' | 'agent';
  webhooks: boolean;
  at: number;
  /** Resolves to true once the change is in Postgres. */
  landed: () => Promise<boolean>;
  latencyMs?: number;
}

/**
 * Freshness with webhooks (the simulator POSTs signed webhooks to the server's route over real
 * HTTP) and without them (every webhook dropped: the polling loops alone). A conversation closed
 * in Intercom must be `closed` in tickets, an admin's away toggle in agent_states.
 */
export async function webhooksScenario(o: { quick: boolean }): Promise<ScenarioOutput> {
  const defaultMs = o.quick ? 60_000 : 300_000;
  const agentStatesMs = 15_000;
  const perPhase = o.quick ? { hooked: 20, lost: 6 } : { hooked: 60, lost: 12 };
  const stack = await startStack({
    scenario: 'webhooks',
    simulator: { seed: 21, ratePerMinute: 10_000, ...REALISTIC_LATENCY, workspaces: [{ id: WS, name: 'Hooks Co', region: 'us', conversations: o.quick ? 300 : 1000 }] },
    workflow: { cadence: { defaultMs, agentStatesMs, agentPollerRunMs: 3_600_000 } },
  });
  const gate = new PostgresGate(stack.t.db);
  const clients = new ClientProvider({ db: stack.t.db, cipher: createTokenCipher(stack.key), limiter: new GatedRateLimiter(gate, new PostgresRateLimiter(stack.t.db)), http: stack.http, baseUrlOverride: stack.sim.baseUrl });
  const server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    limits: DEFAULT_LIMITS,
    async routes(app) {
      await app.register(webhookRoutes, { db: stack.t.db, temporal: stack.env.client, clients, clientSecret: SECRET, bodyLimitBytes: 2_097_152 });
    },
  });
  try {
    await stack.spawnWorker();
    const t0 = Date.now();
    await stack.connect(WS);
    await waitUntil('the backfill', async () => (await workspaceStatus(stack.env.client, WS))?.jobs.backfill.done === true, 300_000, 250);
    const sim = stack.sim.workspace(WS);
    const db = stack.t.db;

    const openStored = async (): Promise<string[]> => {
      const rows = await db.selectFrom('tickets').select('conversation_id').where('workspace_id', '=', WS).where('status', '!=', 'closed').execute();
      return rows.map((r) => r.conversation_id).filter((id) => sim.conversation(id)?.state !== 'closed');
    };
    const closeOne = async (webhooks: boolean, used: Set<string>): Promise<Change | null> => {
      const id = (await openStored()).find((c) => !used.has(c));
      if (!id) return null;
      used.add(id);
      const at = Date.now();
      sim.updateConversation(id);
      if (sim.conversation(id)?.state !== 'closed') return null;
      return {
        kind: 'conversation',
        webhooks,
        at,
        landed: async () => (await db.selectFrom('tickets').select('status').where('workspace_id', '=', WS).where('conversation_id', '=', id).executeTakeFirst())?.status === 'closed',
      };
    };
    let adminTurn = 0;
    const toggleOne = (webhooks: boolean): Change => {
      const admins = sim.admins();
      const admin = admins[adminTurn++ % admins.length]!;
      const away = !admin.away_mode_enabled;
      const at = Date.now();
      sim.setAway(admin.id, away);
      const want = away ? 'away' : 'available';
      return {
        kind: 'agent',
        webhooks,
        at,
        landed: async () => (await db.selectFrom('agent_states').select('state').where('workspace_id', '=', WS).where('admin_id', '=', admin.id).executeTakeFirst())?.state === want,
      };
    };

    const changes: Change[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const c of changes) if (c.latencyMs === undefined && (await c.landed())) c.latencyMs = Date.now() - c.at;
        await sleep(50);
      }
    })();
    const used = new Set<string>();
    // A change to an admin already waiting for its previous change would mask the first: one per admin at a time.
    const settleAgents = () => waitUntil('earlier agent changes to land', async () => changes.every((c) => c.kind !== 'agent' || c.latencyMs !== undefined), 60_000, 50);

    log(`webhooks: ${perPhase.hooked} conversation closes and away toggles with webhooks`);
    stack.sim.setWebhooks({ url: `${server.url}${WEBHOOK_PATH}` });
    for (let i = 0; i < perPhase.hooked; i++) {
      const c = await closeOne(true, used);
      if (c) changes.push(c);
      await settleAgents();
      changes.push(toggleOne(true));
      await sleep(700 + Math.floor(Math.random() * 600));
    }
    await waitUntil('webhook-driven changes to land', async () => changes.every((c) => c.latencyMs !== undefined), 120_000, 100);

    log(`webhooks lost: ${perPhase.lost} changes each, polling only (default every ${defaultMs / 1000} s, agent states every ${agentStatesMs / 1000} s)`);
    stack.sim.setWebhooks({ url: `${server.url}${WEBHOOK_PATH}`, dropRate: 1 });
    const spreadMs = Math.floor(defaultMs / perPhase.lost);
    for (let i = 0; i < perPhase.lost; i++) {
      const c = await closeOne(false, used);
      if (c) changes.push(c);
      await settleAgents();
      changes.push(toggleOne(false));
      await sleep(spreadMs);
    }
    await waitUntil('polled changes to land', async () => changes.every((c) => c.latencyMs !== undefined), defaultMs * 2 + 60_000, 100);
    watching = false;
    await watcher;

    const sec = (kind: Change['kind'], webhooks: boolean) => changes.filter((c) => c.kind === kind && c.webhooks === webhooks).map((c) => (c.latencyMs ?? NaN) / 1000);
    const hookConv = sec('conversation', true);
    const hookAgent = sec('agent', true);
    const lostConv = sec('conversation', false);
    const lostAgent = sec('agent', false);
    const hookStats = stack.sim.webhookStats();
    const summary = {
      scenario: 'webhooks',
      webhook_conversation_p50_s: round(percentile(hookConv, 50), 2),
      webhook_conversation_p99_s: round(percentile(hookConv, 99), 2),
      webhook_agent_p50_s: round(percentile(hookAgent, 50), 2),
      webhook_agent_p99_s: round(percentile(hookAgent, 99), 2),
      lost_conversation_p50_s: round(percentile(lostConv, 50), 2),
      lost_conversation_p99_s: round(percentile(lostConv, 99), 2),
      lost_agent_p50_s: round(percentile(lostAgent, 50), 2),
      lost_agent_p99_s: round(percentile(lostAgent, 99), 2),
      conversation_changes: hookConv.length + lostConv.length,
      agent_changes: hookAgent.length + lostAgent.length,
      webhooks_sent: hookStats.sent,
      webhooks_dropped: hookStats.dropped,
      webhooks_failed: hookStats.failed,
      default_cadence_s: defaultMs / 1000,
      agent_cadence_s: agentStatesMs / 1000,
      seconds_total: round((Date.now() - t0) / 1000, 1),
    };
    const goals: Goal[] = [
      { key: 'webhook_conversation_p99_s', op: '<=', target: 5 },
      { key: 'webhook_agent_p99_s', op: '<=', target: 2 },
      // Polling alone: one cadence, plus 5 s / 1 s for the run or poll itself.
      { key: 'lost_conversation_p99_s', op: '<=', target: defaultMs / 1000 + 5 },
      { key: 'lost_agent_p99_s', op: '<=', target: agentStatesMs / 1000 + 1 },
    ];
    const points = (kind: Change['kind'], webhooks: boolean) => changes.filter((c) => c.kind === kind && c.webhooks === webhooks).map((c) => [(c.at - t0) / 1000, (c.latencyMs ?? 0) / 1000] as [number, number]);
    const svg = renderSvg(
      `webhooks: change → Postgres, with webhooks (p99 ${summary.webhook_conversation_p99_s} s / ${summary.webhook_agent_p99_s} s) and without (${summary.lost_conversation_p99_s} s / ${summary.lost_agent_p99_s} s)`,
      [
        {
          title: 'freshness of each change',
          xLabel: 'seconds since connect',
          yLabel: 'seconds until stored',
          series: [
            { name: 'conversation, webhook', color: '#4c78a8', kind: 'points', points: points('conversation', true) },
            { name: 'agent, webhook', color: '#54a24b', kind: 'points', points: points('agent', true) },
            { name: 'conversation, polling', color: '#e45756', kind: 'points', points: points('conversation', false) },
            { name: 'agent, polling', color: '#f58518', kind: 'points', points: points('agent', false) },
          ],
          hlines: [{ at: 5, label: '5 s', color: '#4c78a8' }],
          yMin: 0,
        },
      ],
      `${new Date().toISOString().slice(0, 10)} · ${o.quick ? 'quick' : 'full'} run · default every ${defaultMs / 1000} s, agent states every ${agentStatesMs / 1000} s · latency 60 ms + jitter < 40 ms`,
    );
    return {
      summary,
      goals,
      notes: [
        'Latency = from the change in the simulator (which POSTs its signed webhook at that moment) to the row in Postgres (tickets.status = closed; agent_states.state), polled every 50 ms.',
        'Webhook-driven: the server verifies the signature, flips workspace_wakes.wake_pending and signals wakeDefault once; the workflow starts the default job (woken runs at most every 2 s). Away-mode webhooks are written to agent_states by the server itself.',
        `Webhooks lost: every delivery dropped; the default loop (every ${defaultMs / 1000} s${o.quick ? ', shortened for the quick run' : ''}) and the agent-state poller (every ${agentStatesMs / 1000} s) deliver. Goals: one cadence plus 5 s (conversation) / 1 s (agent).`,
      ],
      details: { changes: changes.map((c) => ({ kind: c.kind, webhooks: c.webhooks, at: c.at - t0, latencyMs: c.latencyMs ?? null })) },
      svg,
    };
  } finally {
    await server.close().catch(() => undefined);
    await stack.stop();
  }
}
