import { workspaceStatus } from '../../src/cli/commands';
import { expectedInBackfill, storedTickets } from '../helpers/expectRows';
import { startStack, waitFor, type Stack } from '../helpers/stack';
import { workerProcesses, type WorkerProcesses } from '../helpers/workerProcess';

const WS = 'crash-ws';

describe('a worker killed with SIGKILL mid-backfill', () => {
  let stack: Stack;
  let workers: WorkerProcesses;

  beforeAll(async () => {
    stack = await startStack({
      startWorker: false,
      simulator: { seed: 3, ratePerMinute: 6000, latencyMs: 5, workspaces: [{ id: WS, name: 'Crash Co', region: 'us', conversations: 2500 }] },
      workflow: { backfill: { heartbeatTimeoutMs: 4_000 } },
    });
    workers = workerProcesses(stack);
  });
  afterAll(async () => {
    workers?.killAll();
    await stack?.stop();
  });

  it('a fresh worker finishes with exactly the expected rows, re-fetching at most one page', async () => {
    const first = workers.start();
    await stack.connect(`tok-${WS}`);
    const count = async () => Number((await stack.t.db.selectFrom('tickets').select((eb) => eb.fn.countAll().as('n')).where('workspace_id', '=', WS).executeTakeFirstOrThrow()).n);
    await waitFor('the backfill to be well under way', async () => (await count()) >= 600, 60_000, 50);
    first.kill('SIGKILL');
    // 'close' waits for the output pipes too: it fires only when no process that inherited
    // them, the killed worker or anything it spawned, is left alive.
    await new Promise((r) => first.once('close', r));
    const storedAtKill = await count();
    expect(storedAtKill).toBeLessThan(stack.sim.workspace(WS).expected().length);

    workers.start();
    await waitFor('the backfill to finish', async () => (await workspaceStatus(stack.env.client, WS))?.jobs.backfill.done === true, 120_000);
    expect(await storedTickets(stack.t.db, WS)).toEqual(await expectedInBackfill(stack, WS));
    const refetched = Object.values(stack.sim.stats().conversationFetches).reduce((n, c) => n + Math.max(0, c - 1), 0);
    expect(refetched).toBeLessThanOrEqual(150);
  });

  it('no access token appears in the workers\' logs', () => {
    expect(workers.output().length).toBeGreaterThan(100);
    expect(workers.output()).not.toContain(`tok-${WS}`);
  });
});
