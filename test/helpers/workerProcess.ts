import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { startStack, type Stack, type StackOptions } from './stack';

const root = resolve(__dirname, '..', '..');

export interface WorkerProcesses {
  /** Starts `src/worker/main.ts` as its own process against the stack's Postgres, dev server and simulator. */
  start(extraEnv?: Record<string, string>): ChildProcess;
  /** Everything the workers printed, stdout and stderr, at debug level. */
  output(): string;
  /** SIGKILLs whatever is still running. */
  killAll(): void;
}

/** The environment that points a process of ours (worker, CLI) at the stack. */
export function stackEnv(stack: Stack): Record<string, string> {
  return {
    DATABASE_URL: stack.t.url,
    TEMPORAL_ADDRESS: stack.env.address,
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
    TOKEN_ENCRYPTION_KEY: stack.key,
    INTERCOM_API_BASE_URL: stack.sim.baseUrl,
  };
}

export function workerProcesses(stack: Stack): WorkerProcesses {
  const children: ChildProcess[] = [];
  let output = '';
  return {
    start(extraEnv = {}) {
      // `node --import tsx`, not the tsx CLI: the CLI runs the worker in a grandchild, which a
      // SIGKILL of the child would leave running.
      const child = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'src/worker/main.ts')], {
        cwd: root,
        env: {
          ...process.env,
          ...stackEnv(stack),
          ...(process.env.TEST_WORKFLOW_BUNDLE ? { WORKFLOW_BUNDLE_PATH: process.env.TEST_WORKFLOW_BUNDLE } : {}),
          DETAIL_CONCURRENCY: '16',
          // Debug level, so that checks of the output cover everything a worker could say.
          LOG_LEVEL: 'debug',
          ...extraEnv,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
      children.push(child);
      return child;
    },
    output: () => output,
    killAll() {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    },
  };
}

/**
 * For one describe block: a stack whose workers are processes the tests start (none in process), and those
 * processes. Every process left is SIGKILLed and the stack stopped after the block; the fields are set by its beforeAll.
 */
export function useWorkerStack(o: Omit<StackOptions, 'startWorker'>): { stack: Stack; workers: WorkerProcesses } {
  const s = {} as { stack: Stack; workers: WorkerProcesses };
  beforeAll(async () => {
    s.stack = await startStack({ ...o, startWorker: false });
    s.workers = workerProcesses(s.stack);
  });
  afterAll(async () => {
    s.workers?.killAll();
    await s.stack?.stop();
  });
  return s;
}
