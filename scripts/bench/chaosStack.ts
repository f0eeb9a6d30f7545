import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { findTemporalCli } from '../../src/temporal/cliBinary';
import { startDevServer, type DevServer } from '../../src/temporal/devServer';
import { freePort } from '../../testkit/net';
import { log, spawnWorker, TMP_DIR, type WorkerEnv, type WorkerProcess } from './stack';

/** The application_name of the bench's own connections: database terminations spare them. */
export const BENCH_APP_NAME = 'chaos-bench';

/**
 * The `temporal` dev server on a SQLite file (as `npm start` runs it), so it can be stopped and started again on
 * the same port with every workflow still there: the in-memory server of the other scenarios forgets all on exit.
 */
export class RestartableTemporal {
  private server: DevServer | null = null;
  readonly dataDir = join(TMP_DIR, `chaos-temporal-${randomBytes(3).toString('hex')}`);
  address = '';

  private constructor(
    private readonly cliPath: string,
    private readonly port: number,
    private readonly uiPort: number,
  ) {}

  static async start(): Promise<RestartableTemporal> {
    const cliPath = await findTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH, log });
    const t = new RestartableTemporal(cliPath, await freePort(), await freePort());
    await t.up();
    return t;
  }

  async up(): Promise<void> {
    this.server = await startDevServer({ cliPath: this.cliPath, dataDir: this.dataDir, port: this.port, uiPort: this.uiPort, startTimeoutMs: 60_000 });
    if (!this.server.owned) throw new Error(`port ${this.port} was taken by another server`);
    this.address = this.server.address;
  }

  /** SIGTERM, wait for the exit, start again on the same port and file; resolves with the downtime in ms. */
  async restart(downMs = 1000): Promise<number> {
    const started = Date.now();
    await this.server?.stop();
    this.server = null;
    await new Promise((r) => setTimeout(r, downMs));
    try {
      await this.up();
    } catch (err) {
      log(`chaos: temporal dev server did not come back (${String(err)}); trying once more`);
      await this.up();
    }
    return Date.now() - started;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = null;
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

/**
 * One worker process kept running the way a process supervisor would: a worker that exits without being told to
 * (a crash) is counted, its last stderr lines kept, and a new one started. `kill()` is the injected SIGKILL.
 */
export class SupervisedWorker {
  current: WorkerProcess | null = null;
  crashes: Array<{ at: number; code: number | null; signal: string | null; stderr: string[] }> = [];
  sigkills = 0;
  starts = 0;
  private stopping = false;
  private intended = new WeakSet<WorkerProcess>();
  private respawning: Promise<void> | null = null;

  constructor(private readonly env: WorkerEnv) {}

  async start(): Promise<void> {
    const w = await spawnWorker(this.env);
    this.starts += 1;
    this.current = w;
    w.child.once('exit', (code, signal) => {
      if (this.intended.has(w) || this.stopping) return;
      this.crashes.push({ at: Date.now(), code, signal, stderr: w.stderrTail.slice(-8) });
      log(`chaos: worker ${w.pid} exited on its own (code ${code}, signal ${signal}); supervisor starts another`);
      this.respawning = this.respawn();
    });
  }

  /** A replacement may fail to start while the Temporal server is down: try a few times. */
  private async respawn(): Promise<void> {
    for (let attempt = 1; attempt <= 5 && !this.stopping; attempt++) {
      try {
        await this.start();
        return;
      } catch (err) {
        log(`chaos: worker start failed (attempt ${attempt}): ${String(err)}`);
        await new Promise((r) => setTimeout(r, 2_000));
      }
    }
  }

  /** SIGKILL the running worker and start its replacement at once. */
  async kill(): Promise<void> {
    await this.respawning;
    const w = this.current;
    if (!w) return;
    this.intended.add(w);
    this.sigkills += 1;
    await w.kill();
    await this.respawn();
  }

  stderr(): string[] {
    return this.current?.stderrTail ?? [];
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.respawning;
    if (this.current) {
      this.intended.add(this.current);
      await this.current.stop(10_000);
    }
  }
}

/** Terminates every backend of the scenario's database except the bench's own (pg_terminate_backend). */
export async function terminateBackends(databaseUrl: string): Promise<number> {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const r = await client.query<{ ok: boolean }>(
      `select pg_terminate_backend(pid) as ok from pg_stat_activity
        where datname = $1 and pid <> pg_backend_pid() and coalesce(application_name, '') <> $2 and backend_type = 'client backend'`,
      [name, BENCH_APP_NAME],
    );
    return r.rows.filter((x) => x.ok).length;
  } finally {
    await client.end();
  }
}

export function withAppName(url: string): string {
  const u = new URL(url);
  u.searchParams.set('application_name', BENCH_APP_NAME);
  return u.toString();
}
