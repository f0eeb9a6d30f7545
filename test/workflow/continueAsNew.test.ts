import { workspaceStatus } from '../../src/cli/commands';
import { backfillChildId, workspaceWorkflowId } from '../../workflows/ids';
import { expectedInBackfill, storedTickets } from '../helpers/expectRows';
import { startStack, waitFor, type Stack } from '../helpers/stack';

const WS = 'can-ws';

describe('continue-as-new', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      // The server suggests continue-as-new after a few dozen events instead of thousands.
      dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 40 },
      simulator: { seed: 11, workspaces: [{ id: WS, name: 'CAN Co', region: 'eu', conversations: 400 }] },
      workflow: {
        cadence: { defaultMs: 300, agentStatesMs: 1_000, agentPollerRunMs: 3_000 },
        backfill: { windowsPerRun: 2, initialWindowSec: 7 * 86400, targetPerWindow: 150 },
      },
    });
  });
  afterAll(async () => stack?.stop());

  it('runs in both workflows and carries their state', async () => {
    await stack.connect(`tok-${WS}`);
    const handle = stack.env.client.workflow.getHandle(workspaceWorkflowId(WS));
    const firstRunId = (await handle.describe()).runId;
    await waitFor('the backfill to finish', async () => (await workspaceStatus(stack.env.client, WS))?.jobs.backfill.done === true, 90_000);
    expect(await storedTickets(stack.t.db, WS)).toEqual(await expectedInBackfill(stack, WS));

    // The backfill child continued as new every two windows: its latest run is not its first.
    const childRuns = await waitFor('the backfill runs to be listed', async () => {
      let n = 0;
      for await (const _run of stack.env.client.workflow.list({ query: `WorkflowId = "${backfillChildId(WS)}"` })) n += 1;
      return n > 1 ? n : null;
    }, 15_000);
    expect(childRuns).toBeGreaterThan(1);

    const before = await workspaceStatus(stack.env.client, WS);
    const runs = before!.jobs.default.runs;
    const after = await waitFor('the workspace workflow to continue as new', async () => {
      const d = await handle.describe();
      return d.runId !== firstRunId ? d : null;
    }, 60_000);
    expect(after.status.name).toBe('RUNNING');
    const carried = await waitFor('the next default run', async () => {
      const v = await workspaceStatus(stack.env.client, WS);
      return v && v.jobs.default.runs > runs ? v : null;
    }, 30_000);
    // Counters and checkpoints survive the new run; the backfill is not started again.
    expect(carried.jobs.backfill.done).toBe(true);
    expect(carried.jobs.backfill.conversationsStored).toBe(before!.jobs.backfill.conversationsStored);
    expect(Number(carried.jobs.default.cursor)).toBeGreaterThanOrEqual(Number(before!.jobs.default.cursor));
  });
});
