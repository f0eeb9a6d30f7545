import type { Worker } from '@temporalio/worker';
import { loadConfig } from '../config';
import { createServices } from '../app/services';
import { connectClient, connectWorkerConnection, resolveTemporal } from '../app/temporal';
import { ensureSearchAttributesAtStart } from '../temporal/registerSearchAttributes';
import { createConfiguredWorker } from './createWorker';
import { installRuntime } from '../app/runtime';
import { loggerFromConfig, startMetricsServer } from '../observability';
import { installDrain } from './shutdown';

// `npm run worker`: a worker process on its own (several may run against one Postgres).
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = loggerFromConfig(config);
  // SIGTERM/SIGINT are ours (installDrain), not the SDK runtime's: activities learn of the drain first.
  installRuntime(config.LOG_LEVEL, { logger, temporalMetricsBind: config.TEMPORAL_METRICS_BIND, shutdownSignals: [] });
  const running: { worker?: Worker } = {};
  const drain = installDrain(() => running.worker, (l) => logger.info(l));
  const services = await createServices(config, { logger, metrics: true });
  const metricsServer = services.metrics && config.METRICS_PORT !== undefined ? await startMetricsServer(services.metrics.registry, { port: config.METRICS_PORT, host: config.METRICS_HOST }) : null;
  if (metricsServer) logger.info({ url: metricsServer.url }, 'metrics served');
  const temporal = await resolveTemporal(config, (l) => logger.info(l));
  const client = await connectClient(temporal.target);
  await ensureSearchAttributesAtStart(client.connection, config.TEMPORAL_NAMESPACE, (l) => logger.warn(l)).finally(() => client.connection.close());
  const connection = await connectWorkerConnection(temporal.target);
  const worker = await createConfiguredWorker(connection, config, services, drain.signal);
  running.worker = worker;
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, address: temporal.target.address, tls: Boolean(temporal.target.tls) }, `worker polling ${config.TEMPORAL_TASK_QUEUE} on ${temporal.target.address}${temporal.target.tls ? ' (TLS)' : ''}`);
  if (!drain.signal.aborted) await worker.run();
  await connection.close();
  await metricsServer?.close();
  await services.close();
  await temporal.devServer?.stop();
  if (drain.signal.aborted) logger.info('drained: worker stopped');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`error: ${(err as Error).message}`);
    process.exit(1);
  },
);
