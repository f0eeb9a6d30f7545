import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import { findTemporalCli } from '../temporal/cliBinary';
import { connectClient, configuredTarget, connectWorkerConnection, plainTarget, type TemporalTarget } from '../temporal/connection';
import { portOpen, startDevServer, type DevServer } from '../temporal/devServer';

export { connectClient, connectWorkerConnection, type TemporalTarget };

export interface TemporalEndpoint {
  /** What to connect to, TLS and API key included: give it to connectClient / connectWorkerConnection. */
  target: TemporalTarget;
  uiUrl: string | null;
  devServer: DevServer | null;
}

/** TEMPORAL_ADDRESS (with its TLS settings) when set; otherwise the embedded dev server (started, or reused if already up). */
export async function resolveTemporal(config: Config, log: (l: string) => void): Promise<TemporalEndpoint> {
  if (config.TEMPORAL_ADDRESS) return { target: configuredTarget(config), uiUrl: null, devServer: null };
  const cliPath = await findTemporalCli({ explicitPath: config.TEMPORAL_CLI_PATH, log });
  const devServer = await startDevServer({ cliPath, dataDir: config.DATA_DIR, port: config.TEMPORAL_PORT, uiPort: config.TEMPORAL_UI_PORT, namespace: config.TEMPORAL_NAMESPACE });
  return { target: plainTarget(devServer.address, config), uiUrl: devServer.uiUrl, devServer };
}

/**
 * For processes that must not start a server (the CLI, `npm run server`): TEMPORAL_ADDRESS with
 * its TLS settings, or the local dev server if one is up. A dev server started here would
 * outlive the command with no worker behind it.
 */
export async function existingTemporal(config: Config): Promise<TemporalTarget> {
  if (config.TEMPORAL_ADDRESS) return configuredTarget(config);
  if (await portOpen(config.TEMPORAL_PORT)) return plainTarget(`127.0.0.1:${config.TEMPORAL_PORT}`, config);
  throw new Error(`no Temporal server on 127.0.0.1:${config.TEMPORAL_PORT}: start one with \`npm start\` or \`npm run worker\`, or set TEMPORAL_ADDRESS`);
}

/** The one call for a process that only needs a client (CLI, `npm run server`): existingTemporal + connectClient. */
export async function connectConfiguredClient(config: Config): Promise<Client> {
  return connectClient(await existingTemporal(config));
}
