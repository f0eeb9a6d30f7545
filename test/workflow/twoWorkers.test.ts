import { workspaceStatus } from '../../src/cli/commands';
import { backfillChildId } from '../../workflows/ids';
import { expectedInBackfill, storedTickets } from '../helpers/expectRows';
import { waitFor } from '../helpers/stack';
import { useWorkerStack } from '../helpers/workerProcess';

// Two full worker processes, one task queue, one workspace: the backfill's windows run in both at
// once, and their Intercom requests share the workspace's budget through Postgres.
const WS = 'two-workers-ws';
const BUDGET = 100; // per 10-second window: 600/min

describe('two worker processes backfilling one workspace at once', () => {
  const ctx = useWorkerStack({
    simulator: { seed: 11, ratePerMinute: BUDGET * 6, latencyMs: 40, jitterMs: 20, workspaces: [{ id: WS, name: 'Two Workers Co', region: 'us', conversations: 2000 }] },
    // Small windows, four at a time: many activities, so both workers get some.
    workflow: { backfill: { targetPerWindow: 150, parallelism: 4, heartbeatTimeoutMs: 10_000 } },
  });

  it('get zero 429s, never more than the budget in a window, and store exactly the expected rows', async () => {
    const pids = [ctx.workers.start().pid, ctx.workers.start().pid];
    await waitFor('both workers to poll', async () => (ctx.workers.output().match(/worker polling/g) ?? []).length === 2, 60_000);
    await ctx.stack.connect(`tok-${WS}`);
    // Run at the low tier until the workers have asked for several windows' worth: the budget binds them.
    await waitFor('three budgets of requests', async () => (ctx.stack.sim.stats().byWorkspace[WS]?.requests ?? 0) >= 3 * BUDGET, 90_000, 250);
    expect(ctx.stack.sim.stats().byWorkspace[WS]?.requests429).toBe(0);
    expect(ctx.stack.sim.stats().byWorkspace[WS]?.maxInWindow).toBeLessThanOrEqual(BUDGET);

    // Lift the tier (the workers learn it from X-RateLimit-Limit) so the rest goes quickly.
    ctx.stack.sim.setRatePerMinute(12_000);
    await waitFor('the backfill to finish', async () => (await workspaceStatus(ctx.stack.env.client, WS))?.jobs.backfill.done === true, 120_000);
    expect(await storedTickets(ctx.stack.t.db, WS)).toEqual(await expectedInBackfill(ctx.stack, WS));
    expect(ctx.stack.sim.stats().byWorkspace[WS]?.requests429).toBe(0);

    // Both processes ran backfill windows: the worker identity (pid@host) on each activity start.
    const byPid = new Map<string, number>();
    for await (const run of ctx.stack.env.client.workflow.list({ query: `WorkflowId = '${backfillChildId(WS)}'` })) {
      const history = await ctx.stack.env.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      for (const e of history.events ?? []) {
        const identity = e.activityTaskStartedEventAttributes?.identity;
        const pid = identity?.split('@')[0];
        if (pid) byPid.set(pid, (byPid.get(pid) ?? 0) + 1);
      }
    }
    expect([...byPid.keys()].sort()).toEqual(pids.map(String).sort());
  });
});
