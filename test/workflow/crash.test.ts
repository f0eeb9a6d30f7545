import { workspaceStatus } from '../../src/cli/commands';
import { expectedInBackfill, refetched, storedTickets } from '../helpers/expectRows';
import { waitFor } from '../helpers/stack';
import { useWorkerStack } from '../helpers/workerProcess';

const WS = 'crash-ws';

describe('a worker killed with SIGKILL mid-backfill', () => {
  const ctx = useWorkerStack({
    simulator: { seed: 3, ratePerMinute: 6000, latencyMs: 5, workspaces: [{ id: WS, name: 'Crash Co', region: 'us', conversations: 2500 }] },
    workflow: { backfill: { heartbeatTimeoutMs: 4_000 } },
  });

  it('a fresh worker finishes with exactly the expected rows, re-fetching at most one page', async () => {
    const first = ctx.workers.start();
    await ctx.stack.connect(`tok-${WS}`);
    const count = async () => Number((await ctx.stack.t.db.selectFrom('tickets').select((eb) => eb.fn.countAll().as('n')).where('workspace_id', '=', WS).executeTakeFirstOrThrow()).n);
    await waitFor('the backfill to be well under way', async () => (await count()) >= 600, 60_000, 50);
    first.kill('SIGKILL');
    // 'close' waits for the output pipes too: it fires only when no process that inherited
    // them, the killed worker or anything it spawned, is left alive.
    await new Promise((r) => first.once('close', r));
    const storedAtKill = await count();
    expect(storedAtKill).toBeLessThan(ctx.stack.sim.workspace(WS).expected().length);

    ctx.workers.start();
    await waitFor('the backfill to finish', async () => (await workspaceStatus(ctx.stack.env.client, WS))?.jobs.backfill.done === true, 120_000);
    expect(await storedTickets(ctx.stack.t.db, WS)).toEqual(await expectedInBackfill(ctx.stack, WS));
    expect(refetched(ctx.stack.sim.stats().conversationFetches)).toBeLessThanOrEqual(150);
  });

  it('no access token appears in the workers\' logs', () => {
    expect(ctx.workers.output().length).toBeGreaterThan(100);
    expect(ctx.workers.output()).not.toContain(`tok-${WS}`);
  });
});
