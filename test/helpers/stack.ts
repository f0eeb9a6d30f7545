import { randomBytes } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { connectWorkspace, type ConnectDeps } from '../../src/app/connectWorkspace';
import { createTokenCipher, type TokenCipher } from '../../src/crypto/tokenCipher';
import { createIntercomHttp, type IntercomHttp } from '../../src/intercom/client';
import { ClientProvider } from '../../src/intercom/clientProvider';
import { GatedRateLimiter, PostgresGate } from '../../src/ratelimit/gate';
import { PostgresRateLimiter } from '../../src/ratelimit';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator';
import { createSyncWorker } from '../../src/worker/createWorker';
import type { WorkspaceWorkflowOptions } from '../../workflows/workspace';
import type { ActivityDeps } from '../../activities';
import { createTestDb, type TestDb } from './db';
import { createTemporalEnv } from './temporal';

export interface StackOptions {
  simulator?: SimulatorOptions;
  workflow?: WorkspaceWorkflowOptions;
  dynamicConfig?: Record<string, unknown>;
  startWorker?: boolean;
}

/** Real parts end to end: Postgres, the temporal dev server, the simulator over HTTP, a worker. */
export interface Stack {
  t: TestDb;
  sim: Simulator;
  env: TestWorkflowEnvironment;
  cipher: TokenCipher;
  /** The token encryption key, for worker processes started by a test. */
  key: string;
  http: IntercomHttp;
  deps: ActivityDeps;
  connectDeps: ConnectDeps;
  taskQueue: string;
  worker: Worker | null;
  startWorker(): Promise<Worker>;
  stopWorker(): Promise<void>;
  connect(token: string): ReturnType<typeof connectWorkspace>;
  stop(): Promise<void>;
}

export async function startStack(o: StackOptions = {}): Promise<Stack> {
  const [t, sim, env] = await Promise.all([createTestDb(), startSimulator({ ratePerMinute: 10_000, ...o.simulator }), createTemporalEnv(o.dynamicConfig)]);
  const key = randomBytes(32).toString('base64');
  const cipher = createTokenCipher(key);
  const http = createIntercomHttp();
  const gate = new PostgresGate(t.db);
  const limiter = new GatedRateLimiter(gate, new PostgresRateLimiter(t.db), 100);
  const clients = new ClientProvider({ db: t.db, cipher, limiter, http, baseUrlOverride: sim.baseUrl });
  const deps: ActivityDeps = { db: t.db, clients, gate, detailConcurrency: 16, flushRows: 50 };
  const taskQueue = `test-${randomBytes(4).toString('hex')}`;
  const connectDeps: ConnectDeps = { db: t.db, cipher, http, temporal: env.client, taskQueue, apiBaseUrlOverride: sim.baseUrl, workflowOptions: o.workflow };
  let running: Promise<void> | null = null;
  const bundlePath = process.env.TEST_WORKFLOW_BUNDLE;

  const stack: Stack = {
    t,
    sim,
    env,
    cipher,
    key,
    http,
    deps,
    connectDeps,
    taskQueue,
    worker: null,
    async startWorker() {
      const worker = await createSyncWorker({
        connection: env.nativeConnection,
        namespace: 'default',
        taskQueue,
        deps,
        workflowBundle: bundlePath ? { codePath: bundlePath } : undefined,
      });
      stack.worker = worker;
      running = worker.run();
      return worker;
    },
    async stopWorker() {
      if (!stack.worker) return;
      stack.worker.shutdown();
      await running;
      stack.worker = null;
    },
    connect: (token) => connectWorkspace(connectDeps, token),
    async stop() {
      await stack.stopWorker().catch(() => undefined);
      await env.teardown();
      await sim.stop();
      await http.close();
      await t.destroy();
    },
  };
  if (o.startWorker !== false) await stack.startWorker();
  return stack;
}

/** Polls `probe` until it returns a truthy value, or fails with `what` after the deadline. */
export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/**
 * Polls `probe` for `forMs` and fails as soon as it returns something truthy: for what must NOT happen during a
 * period (e.g. a request while paused). The period is the test's claim (say, four poll intervals), not a sleep
 * that waits for something to finish.
 */
export async function holdsFor(what: string, probe: () => Promise<unknown>, forMs: number, everyMs = 100): Promise<void> {
  const end = Date.now() + forMs;
  while (Date.now() < end) {
    const v = await probe();
    if (v) throw new Error(`${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, Math.min(everyMs, Math.max(0, end - Date.now()))));
  }
}

/**
 * A new conversation in the simulator that the sync must store (a teammate replied) with a status history (it
 * was closed, snoozed or reopened at least once): updated until it is.
 */
export function createSyncedConversation(ws: {
  createConversation(): { id: string };
  updateConversation(id: string): void;
  expected(): Array<{ conversationId: string; statusEvents: unknown[] }>;
}): string {
  for (let attempt = 0; attempt < 20; attempt++) {
    const { id } = ws.createConversation();
    for (let i = 0; i < 8; i++) {
      if (ws.expected().some((e) => e.conversationId === id && e.statusEvents.length > 0)) return id;
      ws.updateConversation(id);
    }
  }
  throw new Error('the simulator made no conversation with a status history in 20 attempts');
}
