import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { connectWorkspace, type ConnectDeps, type ConnectResult } from '../../src/app/connectWorkspace';
import { waitFor } from '../../testkit/wait';
import { createTokenCipher } from '../../src/crypto/tokenCipher';
import { createDb, dropDatabase, ensureDatabase, migrateToLatest, type Db } from '../../src/db/connection';
import { createIntercomHttp, type IntercomHttp } from '../../src/intercom/client';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../testkit/simulator';
import { findTemporalCli } from '../../src/temporal/cliBinary';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/temporal/searchAttributes';
import type { WorkspaceWorkflowInput } from '../../workflows/workspace';
import { InspectorSession } from './inspector';
import { cpuCounterOf, cpuCounterOfPid, devServerPid, ProcSampler } from './proc';
import { writeWorkflowBundle } from '../../src/worker/bundle';

export const ROOT = resolve(__dirname, '..', '..');
export const TMP_DIR = join(ROOT, 'bench-results', 'tmp');

/** Intercom-like latency: about 80 ms (60 ms + uniform jitter below 40 ms). */
export const REALISTIC_LATENCY = { latencyMs: 60, jitterMs: 40 } as const;

export const log = (line: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The test kit's `waitFor`, with the bench's slower default poll. */
export const waitUntil = <T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number, everyMs = 500): Promise<T> =>
  waitFor(what, probe, timeoutMs, everyMs);

export interface BenchDb {
  db: Db;
  url: string;
  destroy(): Promise<void>;
}

/** A fresh, migrated database for one scenario; dropped (with force) afterwards. */
export async function freshDatabase(scenario: string, poolSize = 10): Promise<BenchDb> {
  const base = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  base.pathname = `/intercom_sync_bench_${scenario}_${randomBytes(3).toString('hex')}`;
  const url = base.toString();
  await ensureDatabase(url);
  const db = createDb({ url, poolSize });
  await migrateToLatest(db);
  return {
    db,
    url,
    async destroy() {
      await db.destroy().catch(() => undefined);
      await dropDatabase(url);
    },
  };
}

/** The real `temporal` dev server (in-memory), started through @temporalio/testing like the tests do. */
export async function startTemporal(dynamicConfig: Record<string, unknown> = {}, moreArgs: string[] = []): Promise<TestWorkflowEnvironment> {
  const path = await findTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH, log });
  const extraArgs = ['--log-level', 'error', ...moreArgs];
  for (const [k, v] of Object.entries(dynamicConfig)) extraArgs.push('--dynamic-config-value', `${k}=${JSON.stringify(v)}`);
  return TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path }, searchAttributes: ALL_SEARCH_ATTRIBUTES, extraArgs },
  });
}

let bundlePromise: Promise<string> | null = null;

/** One prebuilt workflow bundle per bench run (webpack once; worker processes load it via WORKFLOW_BUNDLE_PATH). */
export function workflowBundle(): Promise<string> {
  bundlePromise ??= (async () => {
    const started = Date.now();
    const path = await writeWorkflowBundle(join(TMP_DIR, `workflow-bundle-${process.pid}.js`));
    log(`workflow bundle built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return path;
  })();
  return bundlePromise;
}

export interface WorkerEnv {
  databaseUrl: string;
  temporalAddress: string;
  taskQueue: string;
  key: string;
  apiBaseUrl: string;
  bundlePath: string;
  detailConcurrency?: number;
  poolSize?: number;
  /** Writes a V8 CPU profile into bench-results/tmp/prof when the worker exits gracefully. */
  cpuProf?: boolean;
  /** Starts the worker with --inspect (loopback, random port) so `inspector` can read its heap. */
  inspect?: boolean;
  extraEnv?: Record<string, string>;
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  sampler: ProcSampler;
  /** Everything the worker wrote to stderr (warnings, errors), last 200 lines. */
  stderrTail: string[];
  /** With `inspect`: a DevTools session to the worker (heap usage, heap snapshots). */
  inspector: InspectorSession | null;
  /** SIGTERM (graceful: the CPU profile is written), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
}

/**
 * Starts `src/worker/main.ts` as its own Node process (node --import tsx, so the pid IS the worker:
 * /proc/<pid> readings are the worker's own CPU and RSS) and resolves once it polls its task queue.
 */
export async function spawnWorker(e: WorkerEnv): Promise<WorkerProcess> {
  const args = ['--import', 'tsx'];
  if (e.cpuProf) {
    await mkdir(join(TMP_DIR, 'prof'), { recursive: true });
    args.push('--cpu-prof', '--cpu-prof-dir', join(TMP_DIR, 'prof'));
  }
  if (e.inspect) args.push('--inspect=127.0.0.1:0');
  args.push(join(ROOT, 'src', 'worker', 'main.ts'));
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: e.databaseUrl,
      DATABASE_POOL_SIZE: String(e.poolSize ?? 10),
      TEMPORAL_ADDRESS: e.temporalAddress,
      TEMPORAL_TASK_QUEUE: e.taskQueue,
      TOKEN_ENCRYPTION_KEY: e.key,
      INTERCOM_API_BASE_URL: e.apiBaseUrl,
      WORKFLOW_BUNDLE_PATH: e.bundlePath,
      DETAIL_CONCURRENCY: String(e.detailConcurrency ?? 24),
      ...e.extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('could not spawn the worker process');
  const pid = child.pid;
  const stderrTail: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderrTail.push(...d.split('\n').filter(Boolean));
    if (stderrTail.length > 200) stderrTail.splice(0, stderrTail.length - 200);
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((resolveReady, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`worker did not start within 60 s: ${stderrTail.slice(-5).join(' | ')}`)), 60_000);
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('worker polling')) {
        clearTimeout(timer);
        resolveReady();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with code ${code} before polling: ${stderrTail.slice(-5).join(' | ')}`));
    });
  });
  // This stack's dev server (told apart by its port), never another stack's or another person's.
  const temporalPid = devServerPid(e.temporalAddress);
  const sampler = new ProcSampler(pid);
  if (temporalPid === null) log(`no dev server of this process listens on ${e.temporalAddress}: its CPU is not reported`);
  else sampler.track('temporal_server', cpuCounterOfPid(temporalPid));
  sampler
    .track('postgres', cpuCounterOf('postgres'))
    .track('bench_and_simulator', () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e6;
    })
    .start();
  const wsUrl = stderrTail.map((l) => /Debugger listening on (ws:\/\/\S+)/.exec(l)?.[1]).find(Boolean);
  const inspector = e.inspect && wsUrl ? await InspectorSession.connect(wsUrl) : null;
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    pid,
    sampler,
    stderrTail,
    inspector,
    async stop(graceMs = 30_000) {
      sampler.stop();
      inspector?.close();
      if (gone()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      sampler.stop();
      inspector?.close();
      if (gone()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface StackOptions {
  scenario: string;
  simulator: SimulatorOptions;
  workflow?: Pick<WorkspaceWorkflowInput, 'cadence' | 'backfill'>;
  dynamicConfig?: Record<string, unknown>;
  detailConcurrency?: number;
  cpuProf?: boolean;
  inspect?: boolean;
  /** More `temporal server start-dev` arguments (e.g. --metrics-port). */
  temporalArgs?: string[];
}

/** Postgres (fresh database) + Temporal dev server + simulator in this process; workers are child processes. */
export interface BenchStack {
  t: BenchDb;
  sim: Simulator;
  env: TestWorkflowEnvironment;
  key: string;
  taskQueue: string;
  http: IntercomHttp;
  connectDeps: ConnectDeps;
  workerEnv: WorkerEnv;
  spawnWorker(overrides?: Partial<WorkerEnv>): Promise<WorkerProcess>;
  connect(workspaceId: string): Promise<ConnectResult>;
  stop(): Promise<void>;
}

export async function startStack(o: StackOptions): Promise<BenchStack> {
  const started = Date.now();
  const [t, sim, env, bundlePath] = await Promise.all([freshDatabase(o.scenario), startSimulator(o.simulator), startTemporal(o.dynamicConfig, o.temporalArgs), workflowBundle()]);
  const key = randomBytes(32).toString('base64');
  const cipher = createTokenCipher(key);
  const http = createIntercomHttp();
  const taskQueue = `bench-${o.scenario}-${randomBytes(3).toString('hex')}`;
  const connectDeps: ConnectDeps = { db: t.db, cipher, http, temporal: env.client, taskQueue, apiBaseUrlOverride: sim.baseUrl, workflowOptions: o.workflow };
  const workerEnv: WorkerEnv = {
    databaseUrl: t.url,
    temporalAddress: env.address,
    taskQueue,
    key,
    apiBaseUrl: sim.baseUrl,
    bundlePath,
    detailConcurrency: o.detailConcurrency,
    cpuProf: o.cpuProf,
    inspect: o.inspect,
  };
  const workers: WorkerProcess[] = [];
  log(`stack up in ${((Date.now() - started) / 1000).toFixed(1)} s (database ${new URL(t.url).pathname.slice(1)}, temporal ${env.address}, simulator ${sim.baseUrl})`);
  return {
    t,
    sim,
    env,
    key,
    taskQueue,
    http,
    connectDeps,
    workerEnv,
    async spawnWorker(overrides = {}) {
      const w = await spawnWorker({ ...workerEnv, ...overrides });
      workers.push(w);
      return w;
    },
    connect: (workspaceId) => connectWorkspace(connectDeps, `tok-${workspaceId}`),
    async stop() {
      for (const w of workers) await w.stop(10_000).catch(() => undefined);
      await env.teardown().catch((err: unknown) => log(`temporal teardown: ${String(err)}`));
      await sim.stop().catch(() => undefined);
      await http.close().catch(() => undefined);
      await t.destroy();
    },
  };
}
