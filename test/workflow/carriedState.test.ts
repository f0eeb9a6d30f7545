import { saveCredentials } from '../../src/repositories/credentials';
import { upsertWorkspace } from '../../src/repositories/workspaces';
import { workspaceWorkflowId } from '../../workflows/ids';
import { statusQuery } from '../../workflows/messages';
import type { workspaceWorkflow } from '../../workflows/workspace';
import { emptyBackfill, initialState, type WorkspaceState } from '../../workflows/workspaceState';
import { startStack, waitFor, type Stack } from '../helpers/stack';

const WS = 'carried-state-ws';
const HOUR = 3_600_000;

// What a run hands to the next through continue-as-new is WorkspaceState and nothing else: these
// tests start a run from such a state, as continue-as-new does, and check the new run acts on it.
describe('state carried across continue-as-new', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ simulator: { seed: 5, workspaces: [{ id: WS, name: 'Carried Co', region: 'us', conversations: 20 }] } });
    await upsertWorkspace(stack.t.db, { id: WS, name: 'Carried Co', region: 'us', status: 'Synced', connectedAt: new Date() });
    await saveCredentials(stack.t.db, WS, stack.cipher.encrypt(`tok-${WS}`, WS), stack.cipher.keyId);
  });
  afterAll(async () => stack?.stop());

  it('a webhook wake pending when the last run continued as new runs the default job at once, not at the next tick', async () => {
    const now = Date.now();
    // The backfill is done and the next default tick is an hour away: only the carried wake can start a run now.
    const state: WorkspaceState = {
      ...initialState(now, now + HOUR),
      catalogDue: false,
      backfill: { ...emptyBackfill('intercom-backfill:carried'), done: true, percent: 100 },
      defaultWake: { requested: true, lastStartAt: 0 },
    };
    const handle = await stack.env.client.workflow.start<typeof workspaceWorkflow>('workspaceWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: workspaceWorkflowId(WS),
      args: [{ workspaceId: WS, connectedAt: now, cadence: { defaultMs: HOUR }, state }],
    });
    const view = await waitFor('the woken default run', async () => {
      const v = await handle.query(statusQuery);
      return v.jobs.default.runs > 0 ? v : null;
    }, 30_000);
    expect(view.jobs.default.lastError).toBeNull();
    expect(view.status).toBe('Synced');
    await handle.terminate('test done');
  });
});
