import { DEFAULT_WORKSPACE, DEMO_CHURN, NO_CHURN, startSimulator } from './index';

// Standalone simulator in live mode, for `npm run simulator` and manual runs of the sync against it.

function intEnv(name: string, fallback: number | undefined): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return v;
}

async function main(): Promise<void> {
  const sim = await startSimulator({
    port: intEnv('SIM_PORT', 4010),
    seed: intEnv('SIM_SEED', 1),
    workspaces: [{ ...DEFAULT_WORKSPACE, conversations: intEnv('SIM_CONVERSATIONS', 2000) ?? 2000 }],
    ratePerMinute: intEnv('SIM_RATE_PER_MINUTE', undefined),
    latencyMs: intEnv('SIM_LATENCY_MS', undefined),
  });
  // SIM_CHURN=0 turns off the catalog and attribution changes (retags, hires, deletions, …).
  sim.startLive({ intervalMs: intEnv('SIM_LIVE_INTERVAL_MS', undefined), churn: intEnv('SIM_CHURN', 1) === 0 ? NO_CHURN : DEMO_CHURN });
  const ws = sim.workspace(DEFAULT_WORKSPACE.id);
  // SIM_POISON_RATE (0-1): that share of the conversations live mode creates is poisoned (simulator/poison.ts).
  if (process.env.SIM_POISON_RATE) ws.setPoisonRate(Number(process.env.SIM_POISON_RATE));
  console.log(`Intercom simulator listening on ${sim.baseUrl}`);
  console.log(`  workspace ${ws.id} (${ws.name}), token ${ws.tokens()[0] ?? '(none)'}, OAuth client sim-client / sim-secret`);
  // Live mode's timer is unref'd; this one keeps the process up until a signal arrives.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const shutdown = (): void => {
    clearInterval(keepAlive);
    sim.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
