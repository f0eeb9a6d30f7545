import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config';
import { findTemporalCli } from '../temporal/cliBinary';
import { portOpen, startDevServer, type DevServer } from '../temporal/devServer';

export interface TemporalEndpoint {
  address: string;
  uiUrl: string | null;
  devServer: DevServer | null;
}

/** TEMPORAL_ADDRESS when set; otherwise the embedded dev server (started, or reused if already up). */
export async function resolveTemporal(config: Config, log: (l: string) => void): Promise<TemporalEndpoint> {
  if (config.TEMPORAL_ADDRESS) return { address: config.TEMPORAL_ADDRESS, uiUrl: null, devServer: null };
  const cliPath = await findTemporalCli({ explicitPath: config.TEMPORAL_CLI_PATH, log });
  const devServer = await startDevServer({ cliPath, dataDir: config.DATA_DIR, port: config.TEMPORAL_PORT, uiPort: config.TEMPORAL_UI_PORT, namespace: config.TEMPORAL_NAMESPACE });
  return { address: devServer.address, uiUrl: devServer.uiUrl, devServer };
}

/**
 * For short-lived commands (the CLI): TEMPORAL_ADDRESS, or the local dev server if one is up.
 * Never starts a server, which would outlive the command with no worker behind it.
 */
export async function existingTemporal(config: Config): Promise<string> {
  if (config.TEMPORAL_ADDRESS) return config.TEMPORAL_ADDRESS;
  if (await portOpen(config.TEMPORAL_PORT)) return `127.0.0.1:${config.TEMPORAL_PORT}`;
  throw new Error(`no Temporal server on 127.0.0.1:${config.TEMPORAL_PORT}: start one with \`npm start\` or \`npm run worker\`, or set TEMPORAL_ADDRESS`);
}

export async function connectClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace });
}

export function connectWorkerConnection(address: string): Promise<NativeConnection> {
  return NativeConnection.connect({ address });
}
