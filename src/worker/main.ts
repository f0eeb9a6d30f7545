import { loadConfig } from '../config';
import { createServices } from '../app/services';
import { connectClient, connectWorkerConnection, resolveTemporal } from '../app/temporal';
import { ensureSearchAttributesAtStart } from '../temporal/registerSearchAttributes';
import { createConfiguredWorker } from './createWorker';
import { installRuntime } from '../app/runtime';

// `npm run worker`: a worker process on its own (several may run against one Postgres).
async function main(): Promise<void> {
  const config = loadConfig();
  installRuntime(config.LOG_LEVEL);
  const services = await createServices(config);
  const temporal = await resolveTemporal(config, (l) => console.error(l));
  const client = await connectClient(temporal.target);
  await ensureSearchAttributesAtStart(client.connection, config.TEMPORAL_NAMESPACE, (l) => console.error(l)).finally(() => client.connection.close());
  const connection = await connectWorkerConnection(temporal.target);
  const worker = await createConfiguredWorker(connection, config, services);
  console.log(`worker polling ${config.TEMPORAL_TASK_QUEUE} on ${temporal.target.address}${temporal.target.tls ? ' (TLS)' : ''}`);
  await worker.run();
  await connection.close();
  await services.close();
  await temporal.devServer?.stop();
}

main().catch((err: unknown) => {
  console.error(`error: ${(err as Error).message}`);
  process.exit(1);
});
