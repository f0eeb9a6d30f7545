import { workspaceStatus } from '../../src/cli/commands';
import { expectedInBackfill, refetched, storedTickets } from '../helpers/expectRows';
import { waitFor } from '../helpers/stack';
import { useWorkerStack } from '../helpers/workerProcess';

const WS = 'drain-ws';

describe('a worker sent SIGTERM mid-backfill', () => {
  const ctx = useWorkerStack({
    simulator: { seed: 5, ratePerMinute: 6000, latencyMs: 5, workspaces: [{ id: WS, name: 'Drain Co', region: 'us', conversations: 2500 }] },
    // A long heartbeat timeout: a crash would leave the window to time out; a drain must not need it.
    workflow: { backfill: { heartbeatTimeoutMs: 60_000 } },
  });

  it('drains and exits 0; a second worker finishes with exactly the expected rows, re-fetching at most one page', async () => {
    const first = ctx.workers.start({ WORKER_SHUTDOWN_GRACE_MS: '15000' });
    await ctx.stack.connect(`tok-${WS}`);
    const count = async () => Number((await ctx.stack.t.db.selectFrom('tickets').select((eb) => eb.fn.countAll().as('n')).where('workspace_id', '=', WS).executeTakeFirstOrThrow()).n);
    await waitFor('the backfill to be well under way', async () => (await count()) >= 600, 60_000, 50);
    const exited = new Promise<number | null>((r) => first.once('close', (code) => r(code)));
    first.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(ctx.workers.output()).toContain('SIGTERM: draining');
    const storedAtStop = await count();
    expect(storedAtStop).toBeLessThan(ctx.stack.sim.workspace(WS).expected().length);

    ctx.workers.start();
    await waitFor('the backfill to finish', async () => (await workspaceStatus(ctx.stack.env.client, WS))?.jobs.backfill.done === true, 120_000);
    expect(await storedTickets(ctx.stack.t.db, WS)).toEqual(await expectedInBackfill(ctx.stack, WS));
    expect(refetched(ctx.stack.sim.stats().conversationFetches)).toBeLessThanOrEqual(150);
  });
});
