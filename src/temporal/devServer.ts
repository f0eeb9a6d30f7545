import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, open } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import { SEARCH_ATTRIBUTE_FLAGS } from './searchAttributes';

export interface DevServerOptions {
  cliPath: string;
  dataDir: string;
  port: number;
  uiPort: number;
  namespace?: string;
  /** Extra `--dynamic-config-value KEY=VALUE` pairs, e.g. a low continue-as-new threshold. */
  dynamicConfig?: Record<string, unknown>;
  startTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  /** False when a server was already listening on the port and we only connect to it. */
  owned: boolean;
  stop(): Promise<void>;
}

export function portOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

async function waitForPort(port: number, child: ChildProcess, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`temporal dev server exited with code ${child.exitCode}; see its log`);
    if (await portOpen(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`temporal dev server did not listen on port ${port} within ${deadlineMs} ms`);
}

/**
 * Runs `temporal server start-dev` with a persistent SQLite file under `dataDir`, the Web UI on
 * `uiPort` and our search attributes registered. Reuses a server that already listens on `port`
 * (a second `npm start`), so two processes never fight over one SQLite file.
 */
export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const address = `127.0.0.1:${opts.port}`;
  const uiUrl = `http://localhost:${opts.uiPort}`;
  if (await portOpen(opts.port)) return { address, uiUrl, owned: false, stop: async () => undefined };

  const dataDir = resolve(opts.dataDir);
  await mkdir(dataDir, { recursive: true });
  const args = [
    'server', 'start-dev',
    '--db-filename', join(dataDir, 'temporal.sqlite'),
    '--ip', '127.0.0.1',
    '--port', String(opts.port),
    '--ui-port', String(opts.uiPort),
    '--log-level', 'warn',
    '--ui-disable-news-fetch',
  ];
  if (opts.namespace && opts.namespace !== 'default') args.push('--namespace', opts.namespace);
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTE_FLAGS)) args.push('--search-attribute', `${name}=${type}`);
  for (const [key, value] of Object.entries(opts.dynamicConfig ?? {})) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);

  const log = await open(join(dataDir, 'temporal-server.log'), 'a');
  const child = spawn(opts.cliPath, args, { stdio: ['ignore', log.fd, log.fd] });
  try {
    await waitForPort(opts.port, child, opts.startTimeoutMs ?? 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    await log.close();
    throw err;
  }
  return {
    address,
    uiUrl,
    owned: true,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await log.close();
    },
  };
}
