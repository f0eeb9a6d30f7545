import { sendCommand, workspaceStatus } from '../../src/cli/commands';
import { workspaceWorkflowId } from '../../workflows/ids';
import type { WorkspaceStatusView } from '../../workflows/types';
import { startStack, waitFor, type Stack } from '../helpers/stack';

const WS = 'messages-ws';

/**
 * Operator messages act before the update returns, whatever activity is running: here the catalog
 * (and later a resync and the default loop) are stuck retrying a broken endpoint.
 */
describe('pause and disconnect take effect at once', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      simulator: { seed: 31, latencyMs: 2, workspaces: [{ id: WS, name: 'Messages Co', region: 'us', conversations: 200 }] },
      workflow: { cadence: { defaultMs: 2_000, agentStatesMs: 1_000, agentPollerRunMs: 20_000 } },
    });
  });
  afterAll(async () => stack?.stop());

  const status = async () => (await workspaceStatus(stack.env.client, WS)) as WorkspaceStatusView;
  const requests = () => stack.sim.stats().byWorkspace[WS]?.requests ?? 0;
  const requestsTo = (endpoint: string) => stack.sim.stats().byEndpoint[endpoint] ?? 0;
  /** Watches the simulator for `ms`; returns how many requests of the workspace arrived meanwhile. */
  async function requestsDuring(ms: number): Promise<number> {
    const before = requests();
    const until = Date.now() + ms;
    await waitFor('a quiet period', async () => Date.now() >= until, ms + 5_000, 100);
    return requests() - before;
  }

  it('pause: when the update returns, the gate is closed and no request follows; resume carries on', async () => {
    stack.sim.setEndpointFault('GET /tags', 'server_error');
    await stack.connect(`tok-${WS}`);
    // The catalog keeps failing on GET /tags and is being retried.
    await waitFor('the catalog stuck in retries', async () => requestsTo('GET /tags') >= 3, 60_000, 50);

    const view = await sendCommand(stack.env.client, WS, 'pause');
    const atReturn = requests();
    expect(view.status).toBe('Paused');
    expect(await stack.deps.gate.blockedReason(WS)).toBe('paused');
    expect((await stack.t.db.selectFrom('workspaces').select('status').where('id', '=', WS).executeTakeFirstOrThrow()).status).toBe('Paused');
    expect(await requestsDuring(3_000)).toBe(0);
    expect(requests()).toBe(atReturn);
    // The catalog and poller activities were cancelled before the update completed.
    const events = (await stack.env.client.workflow.getHandle(workspaceWorkflowId(WS)).fetchHistory()).events ?? [];
    const catalog = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'syncCatalog');
    const poller = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'pollAgentStates');
    const cancelOf = (scheduled: (typeof events)[number] | undefined) =>
      events.findIndex((e) => e.activityTaskCancelRequestedEventAttributes && String(e.activityTaskCancelRequestedEventAttributes.scheduledEventId) === String(scheduled?.eventId));
    const pauseDone = events.findIndex((e) => e.workflowExecutionUpdateCompletedEventAttributes);
    expect(pauseDone).toBeGreaterThan(0);
    expect(cancelOf(catalog)).toBeGreaterThan(0);
    expect(cancelOf(catalog)).toBeLessThan(pauseDone);
    expect(cancelOf(poller)).toBeGreaterThan(0);
    expect(cancelOf(poller)).toBeLessThan(pauseDone);
    // …and the cancellations reach the activities (through their heartbeats): none lingers at the closed gate.
    await waitFor('no catalog or poller activity left', async () => {
      const pending = (await stack.env.client.workflow.getHandle(workspaceWorkflowId(WS)).describe()).raw.pendingActivities ?? [];
      return pending.every((a) => !['syncCatalog', 'pollAgentStates'].includes(a.activityType?.name ?? '')) ? true : null;
    }, 30_000);

    // Resume with /tags repaired: the interrupted catalog runs again and succeeds.
    stack.sim.setEndpointFault('GET /tags', null);
    expect((await sendCommand(stack.env.client, WS, 'resume')).status).not.toBe('Paused');
    expect(await stack.deps.gate.blockedReason(WS)).toBeNull();
    await waitFor('the catalog to succeed after resume', async () => (await status()).jobs.catalog.lastSuccessAt !== null, 60_000);
    await waitFor('the backfill to finish', async () => (await status()).jobs.backfill.done, 60_000);
  });

  it('disconnect: when the update returns, the token is gone, the workflow has completed and no request follows', async () => {
    // A resync with the catalog and every search broken: its child, the catalog and the default loop all retry.
    stack.sim.setEndpointFault('GET /tags', 'server_error');
    stack.sim.setEndpointFault('POST /conversations/search', 'server_error');
    const searchesBefore = requestsTo('POST /conversations/search');
    const tagsBefore = requestsTo('GET /tags');
    await sendCommand(stack.env.client, WS, 'resync', {});
    await waitFor('jobs stuck in retries', async () => requestsTo('GET /tags') >= tagsBefore + 2 && requestsTo('POST /conversations/search') >= searchesBefore + 2, 60_000, 50);

    const view = await sendCommand(stack.env.client, WS, 'disconnect');
    const atReturn = requests();
    expect(view.status).toBe('Disconnected');
    const token = await stack.t.db.selectFrom('intercom_credentials').select('workspace_id').where('workspace_id', '=', WS).executeTakeFirst();
    expect(token).toBeUndefined();
    expect((await stack.env.client.workflow.getHandle(workspaceWorkflowId(WS)).describe()).status.name).toBe('COMPLETED');
    expect(await stack.deps.gate.blockedReason(WS)).toBe('disconnected');
    expect(await requestsDuring(3_000)).toBe(0);
    expect(requests()).toBe(atReturn);
  });
});
