import { createHmac } from 'node:crypto';
import { workspaceStatus } from '../../src/cli/commands';
import { DEFAULT_LIMITS } from '../../src/server/limits';
import { startHttpServer, type HttpServer } from '../../src/server/listen';
import { UNINSTALL_PATH, WEBHOOK_PATH, webhookRoutes } from '../../src/server/webhooks';
import { workspaceWorkflowId } from '../../workflows/ids';
import { startStack, waitFor, type Stack } from '../helpers/stack';

const WS = 'hook-ws';
const SECRET = 'hook-secret';

describe('Intercom webhooks and the uninstall notice', () => {
  let stack: Stack;
  let server: HttpServer;
  let url: string;

  beforeAll(async () => {
    stack = await startStack({
      simulator: { seed: 9, oauth: { clientId: 'hook-client', clientSecret: SECRET }, workspaces: [{ id: WS, name: 'Hook Co', region: 'us', conversations: 40 }] },
      // Polling far apart: whatever changes within the test did so because of a webhook.
      workflow: { cadence: { defaultMs: 3_600_000, agentStatesMs: 600_000, agentPollerRunMs: 3_600_000 } },
    });
    server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      limits: DEFAULT_LIMITS,
      async routes(app) {
        await app.register(webhookRoutes, { db: stack.t.db, temporal: stack.env.client, clients: stack.deps.clients, clientSecret: SECRET, bodyLimitBytes: 2_097_152 });
      },
    });
    url = `${server.url}${WEBHOOK_PATH}`;
    await stack.connect(`tok-${WS}`);
    await waitFor('the backfill', async () => (await workspaceStatus(stack.env.client, WS))?.jobs.backfill.done === true, 60_000);
  });
  afterAll(async () => {
    await server?.close();
    await stack?.stop();
  });

  const post = (body: string, headers: Record<string, string>) => fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const history = async () => (await stack.env.client.workflow.getHandle(workspaceWorkflowId(WS)).fetchHistory()).events ?? [];
  const signalsNamed = async (name: string) => (await history()).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === name).length;
  const defaultRuns = async () =>
    (await history()).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'syncUpdatedConversations').length;
  /** Default runs that ended (completed, failed, timed out or cancelled), from the history. */
  const defaultRunsFinished = async () => {
    const events = await history();
    const scheduled = new Set(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'syncUpdatedConversations').map((e) => String(e.eventId)));
    return events.filter((e) => {
      const a = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes ?? e.activityTaskCanceledEventAttributes;
      return a?.scheduledEventId !== undefined && a.scheduledEventId !== null && scheduled.has(String(a.scheduledEventId));
    }).length;
  };
  const wakeRows = async () => (await stack.t.db.selectFrom('workspace_wakes').selectAll().execute()).length;
  const conversationEvent = (id: string) => {
    const item = stack.sim.workspace(WS).conversation(id);
    return stack.sim.webhook({ workspaceId: WS, topic: 'conversation.admin.closed', item });
  };

  it('rejects a missing, wrong or foreign signature, and a replayed body with another signature, with 401 and no side effect', async () => {
    const id = stack.sim.workspace(WS).conversations()[0]!.id;
    const good = conversationEvent(id);
    const other = conversationEvent(id);
    const tampered = good.body.replace('"conversation.admin.closed"', '"conversation.admin.opened"');
    const wrongKey = `sha1=${createHmac('sha1', 'not-the-secret').update(good.body).digest('hex')}`;
    const cases: Array<[string, Record<string, string>]> = [
      [good.body, {}],
      [good.body, { 'x-hub-signature': 'sha1=' }],
      [good.body, { 'x-hub-signature': wrongKey }],
      [good.body, { 'x-hub-signature': good.headers['x-hub-signature']!.replace('sha1=', 'sha256=') }],
      [good.body, { 'x-hub-signature': other.headers['x-hub-signature']! }],
      [tampered, { 'x-hub-signature': good.headers['x-hub-signature']! }],
    ];
    const signalsBefore = await signalsNamed('wakeDefault');
    for (const [body, headers] of cases) expect((await post(body, headers)).status).toBe(401);
    expect(await wakeRows()).toBe(0);
    expect(await signalsNamed('wakeDefault')).toBe(signalsBefore);
  });

  it('answers ping', async () => {
    const { body, headers } = stack.sim.webhook({ workspaceId: WS, topic: 'ping', item: { type: 'ping', message: 'hello' } });
    expect((await post(body, headers)).status).toBe(200);
  });

  it('conversations closed in Intercom one after another reach tickets through their webhooks, long before the next default tick', async () => {
    stack.sim.setWebhooks({ url });
    const sim = stack.sim.workspace(WS);
    const open = sim.expected().filter((t) => t.status !== 'closed').slice(0, 3);
    expect(open).toHaveLength(3);
    // Back to back: the second and third arrive while the run woken by the first is running or just over.
    for (const t of open) {
      sim.updateConversation(t.conversationId);
      expect(sim.conversation(t.conversationId)?.state).toBe('closed');
      await waitFor(`${t.conversationId} closed in tickets`, async () => {
        const row = await stack.t.db.selectFrom('tickets').select('status').where('workspace_id', '=', WS).where('conversation_id', '=', t.conversationId).executeTakeFirst();
        return row?.status === 'closed';
      }, 30_000, 50);
    }
    stack.sim.setWebhooks({ url: null });
    await stack.sim.settleWebhooks();
  });

  it('coalesces a burst of 1,000 conversation webhooks into one signal and one default run', async () => {
    const ids = stack.sim.workspace(WS).conversations().map((c) => c.id);
    // Let any run in progress finish first: the counts below must be the burst's alone.
    await waitFor('no wake pending', async () => (await stack.t.db.selectFrom('workspace_wakes').select('wake_pending').where('workspace_id', '=', WS).executeTakeFirst())?.wake_pending !== true, 30_000);
    const runsBefore = await defaultRuns();
    const finishedBefore = await defaultRunsFinished();
    const signalsBefore = await signalsNamed('wakeDefault');
    const eventsBefore = (await history()).length;
    const bodies = Array.from({ length: 1000 }, (_, i) => conversationEvent(ids[i % ids.length]!));
    // No worker while the burst arrives: however fast or slow the requests, no run can start (and
    // clear the flag) in between, so the counts below do not depend on timing.
    await stack.stopWorker();
    for (let i = 0; i < bodies.length; i += 50) {
      const statuses = await Promise.all(bodies.slice(i, i + 50).map((b) => post(b.body, b.headers).then((r) => r.status)));
      for (const s of statuses) expect([200, 202]).toContain(s);
    }
    // Duplicated deliveries (the same body again) are harmless.
    expect([200, 202]).toContain((await post(bodies[0]!.body, bodies[0]!.headers)).status);
    expect((await signalsNamed('wakeDefault')) - signalsBefore).toBe(1);
    await stack.startWorker();
    const pending = async () => (await stack.t.db.selectFrom('workspace_wakes').select('wake_pending').where('workspace_id', '=', WS).executeTakeFirst())?.wake_pending === true;
    // Finished, whatever the outcome: on a loaded machine a run may time out and count as failed, which
    // changes nothing about how many runs the burst caused.
    await waitFor('the woken runs to finish', async () => {
      const scheduled = (await defaultRuns()) - runsBefore;
      return scheduled > 0 && (await defaultRunsFinished()) - finishedBefore === scheduled && !(await pending());
    }, 30_000);
    const signals = (await signalsNamed('wakeDefault')) - signalsBefore;
    const runs = (await defaultRuns()) - runsBefore;
    expect(signals).toBe(1);
    expect(runs).toBe(1);
    // A handful of history events: the signal, the run's schedule/start/complete, a few workflow tasks.
    expect((await history()).length - eventsBefore).toBeLessThan(25);
  });

  it('admin.away_mode_updated updates agent_states directly; an older delivery does not roll it back', async () => {
    stack.sim.setWebhooks({ url });
    const admin = stack.sim.workspace(WS).admins()[0]!;
    const stateOf = async () => (await stack.t.db.selectFrom('agent_states').select('state').where('workspace_id', '=', WS).where('admin_id', '=', admin.id).executeTakeFirst())?.state;
    const flipTo = !admin.away_mode_enabled;
    stack.sim.workspace(WS).setAway(admin.id, flipTo);
    await waitFor('the webhook\'s state in agent_states', async () => (await stateOf()) === (flipTo ? 'away' : 'available'), 15_000);
    stack.sim.setWebhooks({ url: null });
    await stack.sim.settleWebhooks();
    const stale = stack.sim.webhook({ workspaceId: WS, topic: 'admin.away_mode_updated', item: { ...admin, away_mode_enabled: !flipTo } });
    const body = JSON.parse(stale.body) as { created_at: number };
    body.created_at -= 3600;
    const raw = JSON.stringify(body);
    const res = await post(raw, { 'x-hub-signature': `sha1=${createHmac('sha1', SECRET).update(raw).digest('hex')}` });
    expect(res.status).toBe(200);
    expect(await stateOf()).toBe(flipTo ? 'away' : 'available');
  });

  it('a forged uninstall notice changes nothing; a real one (token revoked) leads to Needs reauthorization', async () => {
    const notice = () => fetch(`${server.url}${UNINSTALL_PATH}`, { method: 'POST', body: JSON.stringify({ app_id: WS }), headers: { 'content-type': 'application/json' } });
    const forged = await notice();
    expect(forged.status).toBe(200);
    expect(((await forged.json()) as { result: string }).result).toMatch(/not confirmed/);
    expect(await signalsNamed('credentialsRevoked')).toBe(0);
    expect((await workspaceStatus(stack.env.client, WS))?.status).not.toBe('Needs reauthorization');

    stack.sim.revokeToken(WS);
    const real = await notice();
    expect(real.status).toBe(200);
    expect(((await real.json()) as { result: string }).result).toMatch(/confirmed/);
    await waitFor('Needs reauthorization', async () => (await workspaceStatus(stack.env.client, WS))?.status === 'Needs reauthorization', 30_000);
    const ws = await stack.t.db.selectFrom('workspaces').select('status').where('id', '=', WS).executeTakeFirstOrThrow();
    await waitFor('the status mirrored in workspaces', async () => (await stack.t.db.selectFrom('workspaces').select('status').where('id', '=', WS).executeTakeFirstOrThrow()).status === 'Needs reauthorization', 30_000);
    expect(ws).toBeDefined();
  });
});
