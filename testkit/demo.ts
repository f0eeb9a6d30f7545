import { request } from 'undici';
import { loadConfig, type Config } from '../src/config';
import { createServices } from '../src/app/services';
import { connectClient, connectWorkerConnection, resolveTemporal } from '../src/app/temporal';
import { createConfiguredWorker } from '../src/worker/createWorker';
import { startProductServer } from '../src/server/mount';
import { consoleOptions } from '../src/console/settings';
import { createConnectLink } from '../src/repositories/connectLinks';
import { startSimulator, type Simulator } from './simulator';
import { statusRows } from '../src/cli/commands';
import { progressBar, ProgressLine } from '../src/app/progressBar';
import { installRuntime } from '../src/app/runtime';
import { loggerFromConfig } from '../src/observability';
import { ensureSearchAttributesAtStart } from '../src/temporal/registerSearchAttributes';

/**
 * `npm start`: the whole product on one machine. The embedded Temporal dev server (persistent,
 * Web UI), migrations, a worker, the OAuth endpoints and — unless INTERCOM_API_BASE_URL points
 * at a real Intercom — the simulated Intercom in live mode. A demo workspace is connected
 * through the real OAuth flow, then the backfill's progress is shown until Ctrl-C.
 */
async function main(): Promise<void> {
  let config: Config = loadConfig();
  // The SDK's lines (and the pool's) go through the logger, readable by default here; the demo's
  // own progress lines stay plain console output for the person at the terminal.
  const logger = loggerFromConfig(config, 'start');
  installRuntime(config.LOG_LEVEL, { logger, temporalMetricsBind: config.TEMPORAL_METRICS_BIND });
  const log = (l: string) => console.log(l);
  let simulator: Simulator | null = null;
  if (!config.INTERCOM_API_BASE_URL) {
    simulator = await startSimulator({
      port: config.SIM_PORT,
      workspaces: [{ id: 'demo-workspace', name: 'Demo Co (simulated)', region: 'us', conversations: config.SIM_CONVERSATIONS }],
      latencyMs: 40,
      jitterMs: 40,
    });
    simulator.startLive({ intervalMs: 5000 });
    config = loadConfig({
      ...process.env,
      INTERCOM_API_BASE_URL: simulator.baseUrl,
      INTERCOM_APP_BASE_URL: simulator.baseUrl,
      INTERCOM_CLIENT_ID: config.INTERCOM_CLIENT_ID ?? 'sim-client',
      INTERCOM_CLIENT_SECRET: config.INTERCOM_CLIENT_SECRET ?? 'sim-secret',
    });
    log(`simulated Intercom (live mode) at ${simulator.baseUrl}`);
  }
  if (!config.INTERCOM_CLIENT_ID || !config.INTERCOM_CLIENT_SECRET) {
    throw new Error('INTERCOM_CLIENT_ID and INTERCOM_CLIENT_SECRET are required with a real Intercom (INTERCOM_API_BASE_URL is set)');
  }

  const services = await createServices(config, { embeddedSimulator: simulator !== null, logger });
  log(`database ready: ${new URL(config.DATABASE_URL).pathname.slice(1)} (migrations applied)`);
  const temporal = await resolveTemporal(config, log);
  const client = await connectClient(temporal.target);
  await ensureSearchAttributesAtStart(client.connection, config.TEMPORAL_NAMESPACE, log);
  const connection = await connectWorkerConnection(temporal.target);
  const worker = await createConfiguredWorker(connection, config, services);
  const running = worker.run();

  // The same endpoints as `npm run server` (health, readiness, OAuth), mounted in this process.
  const oauth = await startProductServer({ config, services, temporal: client, logger: { level: 'warn' } });
  log(`HTTP endpoints: ${oauth.url} (/oauth/start needs a connect link: npm run cli -- connect-link)`);
  log(consoleOptions(config) ? `Operator console: ${oauth.publicUrl}/console (sign in with CONSOLE_TOKEN or the CONSOLE_PASSWORD_HASH password)` : 'Operator console: off (set CONSOLE_TOKEN or CONSOLE_PASSWORD_HASH to turn it on)');
  if (temporal.uiUrl) log(`Temporal Web UI: ${temporal.uiUrl}  (filter: IntercomWorkspaceId = "demo-workspace")`);

  let demoWorkspace: string | null = null;
  if (simulator) {
    // Walk the real OAuth redirects, as a browser would: start → Intercom authorize → callback,
    // with a connect link this demo makes for itself (as an operator would with the CLI).
    const link = await createConnectLink(services.db, { ttlMs: 60_000, note: 'npm start demo' });
    const start = await request(`${oauth.url}/oauth/start?link=${link.token}&workspace=demo-workspace`);
    await start.body.dump();
    const authorize = await request(String(start.headers.location));
    await authorize.body.dump();
    const cookie = String(start.headers['set-cookie']).split(';')[0] ?? '';
    const callback = await request(String(authorize.headers.location), { headers: { cookie } });
    const answer = await callback.body.text();
    // With the console on, the callback answers with a page that moves on to the card: log its words.
    log(`OAuth: ${/^<!doctype/i.test(answer) ? (/Connected[^<]*/.exec(answer)?.[0] ?? 'connected') : answer.trim()}`);
    demoWorkspace = 'demo-workspace';
  }

  const stop = async () => {
    process.stdout.write('\nstopping…\n');
    clearInterval(ticker);
    worker.shutdown();
    await running.catch(() => undefined);
    // Each part is closed even when an earlier one fails, so nothing is left running.
    let failed = false;
    for (const close of [() => oauth.close(), () => simulator?.stop(), () => connection.close(), () => client.connection.close(), () => services.close(), () => temporal.devServer?.stop()]) {
      await Promise.resolve()
        .then(close)
        .catch((err: unknown) => {
          failed = true;
          console.error(`while stopping: ${(err as Error).message}`);
        });
    }
    process.exit(failed ? 1 : 0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());

  const line = new ProgressLine();
  const ticker = setInterval(() => {
    if (!demoWorkspace) return;
    // From the Postgres mirror: a Temporal query every second would be a billable action on Temporal Cloud.
    statusRows(services.db, demoWorkspace)
      .then(([row]) => {
        if (row) process.stdout.write(line.render(progressBar(row)));
      })
      .catch(() => undefined);
  }, 1000);
  await running;
}

main().catch((err: unknown) => {
  console.error(`error: ${(err as Error).message}`);
  process.exit(1);
});
