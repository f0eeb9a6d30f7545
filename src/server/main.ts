import { loadConfig } from '../config';
import { createServices } from '../app/services';
import { connectConfiguredClient } from '../app/temporal';
import { startProductServer } from './mount';
import { REDACT_PATHS } from '../observability/logger';

/**
 * `npm run server`: the HTTP process for production. Stateless (flows, links and tokens are in
 * Postgres), so several may run behind a load balancer. It runs no worker, never the simulator and
 * never a Temporal dev server.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const services = await createServices(config, { metrics: true });
  // TEMPORAL_ADDRESS with its TLS/mTLS/API-key settings, or a dev server already running; never starts one.
  const client = await connectConfiguredClient(config);
  const server = await startProductServer({ config, services, temporal: client, logger: { level: config.LOG_LEVEL, redact: { paths: REDACT_PATHS, censor: '[redacted]' } } });
  server.app.log.info({ url: server.url, publicUrl: server.publicUrl }, 'server listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.app.log.info({ signal }, 'stopping: finishing in-flight requests');
    let failed = false;
    for (const close of [() => server.close(), () => client.connection.close(), () => services.close()]) {
      await Promise.resolve()
        .then(close)
        .catch((err: unknown) => {
          failed = true;
          server.app.log.error({ err }, 'while stopping');
        });
    }
    process.exit(failed ? 1 : 0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`error: ${(err as Error).message}`);
  process.exit(1);
});
