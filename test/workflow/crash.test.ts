import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { workspaceStatus } from '../../src/cli/commands';
import { expectedInBackfill, storedTickets } from '../helpers/expectRows';
import { startStack, waitFor, type Stack } from '../helpers/stack';

const WS = 'crash-ws';
const root = resolve(__dirname, '..', '..');

describe('a worker killed with SIGKILL mid-backfill', () => {
  let stack: Stack;
  const children: ChildProcess[] = [];
  let output = '';

  beforeAll(async () => {
    stack = await startStack({
      startWorker: false,
      simulator: { seed: 3, ratePerMinute: 6000, latencyMs: 5, workspaces: [{ id: WS, name: 'Crash Co', region: 'us', conversations: 2500 }] },
      workflow: { backfill: { heartbeatTimeoutMs: 4_000 } },
    });
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await stack?.stop();
  });

  function workerProcess(): ChildProcess {
    // `node --import tsx`, not the tsx CLI: the CLI runs the worker in a grandchild that would
    // survive the SIGKILL below and keep working, and the test would prove nothing.
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'src/worker/main.ts')], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: stack.t.url,
        TEMPORAL_ADDRESS: stack.env.address,
        TEMPORAL_TASK_QUEUE: stack.taskQueue,
        TOKEN_ENCRYPTION_KEY: stack.key,
        INTERCOM_API_BASE_URL: stack.sim.baseUrl,
        ...(process.env.TEST_WORKFLOW_BUNDLE ? { WORKFLOW_BUNDLE_PATH: process.env.TEST_WORKFLOW_BUNDLE } : {}),
        DETAIL_CONCURRENCY: '16',
        LOG_LEVEL: 'debug',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Debug-level logs, so the check below covers everything the worker could say.
    });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    children.push(child);
    return child;
  }

  it('a fresh worker finishes with exactly the expected rows, re-fetching at most one page', async () => {
    const first = workerProcess();
    await stack.connect(`tok-${WS}`);
    const count = async () => Number((await stack.t.db.selectFrom('tickets').select((eb) => eb.fn.countAll().as('n')).where('workspace_id', '=', WS).executeTakeFirstOrThrow()).n);
    await waitFor('the backfill to be well under way', async () => (await count()) >= 600, 60_000, 50);
    first.kill('SIGKILL');
    // 'close' waits for the output pipes too: it fires only when no process that inherited
    // them, the killed worker or anything it spawned, is left alive.
    await new Promise((r) => first.once('close', r));
    const storedAtKill = await count();
    expect(storedAtKill).toBeLessThan(stack.sim.workspace(WS).expected().length);

    workerProcess();
    await waitFor('the backfill to finish', async () => (await workspaceStatus(stack.env.client, WS))?.jobs.backfill.done === true, 120_000);
    expect(await storedTickets(stack.t.db, WS)).toEqual(await expectedInBackfill(stack, WS));
    const refetched = Object.values(stack.sim.stats().conversationFetches).reduce((n, c) => n + Math.max(0, c - 1), 0);
    expect(refetched).toBeLessThanOrEqual(150);
  });

  it('no access token appears in the workers\' logs', () => {
    expect(output.length).toBeGreaterThan(100);
    expect(output).not.toContain(`tok-${WS}`);
  });
});
