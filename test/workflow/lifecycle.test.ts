import { request } from 'undici';
import { startTestServer, type TestServer } from '../server/testServer';
import { statusQuery } from '../../workflows/messages';
import { backfillChildId, resyncChildId, workspaceWorkflowId } from '../../workflows/ids';
import { recordHistories } from '../helpers/histories';
import { sendCommand, workspaceStatus } from '../../src/cli/commands';
import type { WorkspaceStatusView } from '../../workflows/types';
import { expectedInBackfill, normalizeExpected, storedTickets } from '../helpers/expectRows';
import { createSyncedConversation, holdsFor, startStack, waitFor, type Stack } from '../helpers/stack';

const WS = 'sim-ws-1';
const CADENCE = { defaultMs: 2_000, agentStatesMs: 1_000, agentPollerRunMs: 20_000 };
/** Room for a request and its write on a loaded machine, on top of the interval that must pass. */
const DEADLINE_MS = 15_000;

describe('a workspace from OAuth to live loops', () => {
  let stack: Stack;
  let oauth: TestServer;
  const status = () => workspaceStatus(stack.env.client, WS) as Promise<WorkspaceStatusView>;

  beforeAll(async () => {
    stack = await startStack({
      simulator: { seed: 7, workspaces: [{ id: WS, name: 'Lifecycle Co', region: 'us', conversations: 300 }] },
      workflow: { cadence: CADENCE, backfill: { heartbeatTimeoutMs: 10_000 } },
    });
    oauth = await startTestServer(stack);
  });
  afterAll(async () => {
    await oauth?.close();
    await stack?.stop();
  });

  async function oauthFlow(): Promise<{ callbackUrl: string; cookie: string; status: number; body: string }> {
    const start = await request(`${oauth.url}/oauth/start?workspace=${WS}&link=${await oauth.link()}`);
    await start.body.dump();
    expect(start.statusCode).toBe(302);
    const authorize = await request(String(start.headers.location));
    await authorize.body.dump();
    expect(authorize.statusCode).toBe(302);
    const callbackUrl = String(authorize.headers.location);
    // The browser sends back the cookie that /oauth/start set.
    const cookie = String(start.headers['set-cookie']).split(';')[0] ?? '';
    const callback = await request(callbackUrl, { headers: { cookie } });
    return { callbackUrl, cookie, status: callback.statusCode, body: await callback.body.text() };
  }

  it('connects through OAuth and backfills exactly the expected rows', async () => {
    const first = await oauthFlow();
    expect(first.status).toBe(200);
    expect(first.body).toContain(WS);

    const done = await waitFor('backfill to finish', async () => {
      const v = await status();
      return v?.jobs.backfill.done ? v : null;
    }, 90_000);
    expect(done.status).toBe('Synced');
    expect(done.jobs.backfill.conversationsStored).toBe((await expectedInBackfill(stack, WS)).length);

    expect(await storedTickets(stack.t.db, WS)).toEqual(await expectedInBackfill(stack, WS));
    const agents = await stack.t.db.selectFrom('agents').select('admin_id').where('workspace_id', '=', WS).execute();
    expect(agents).toHaveLength(stack.sim.workspace(WS).admins().length);
  });

  it('refuses a replayed or unknown state', async () => {
    const replay = await oauthFlow();
    expect(replay.status).toBe(200); // a fresh state works…
    const again = await request(replay.callbackUrl, { headers: { cookie: replay.cookie } }); // …but the same callback twice does not
    expect(again.statusCode).toBe(400);
    expect(await again.body.text()).toContain('reused');
    const made = 'u'.repeat(43); // well-formed, never issued, and the browser's cookie matches it
    const unknown = await request(`${oauth.url}/oauth/callback?code=x&state=${made}`, { headers: { cookie: `intercom_sync_oauth_state=${made}` } });
    expect(unknown.statusCode).toBe(400);
    expect(await unknown.body.text()).toContain('unknown');
    // A valid state from a flow that another browser started (no cookie, or another flow's) is refused.
    const start = await request(`${oauth.url}/oauth/start?workspace=${WS}&link=${await oauth.link()}`);
    await start.body.dump();
    const authorize = await request(String(start.headers.location));
    await authorize.body.dump();
    const forged = await request(String(authorize.headers.location), { headers: { cookie: replay.cookie } });
    expect(forged.statusCode).toBe(400);
    expect(await forged.body.text()).toContain('did not start');
  });

  it('a second connect reaches the same workflow instead of starting another', async () => {
    const handle = stack.env.client.workflow.getHandle(workspaceWorkflowId(WS));
    const before = (await handle.describe()).runId;
    await stack.connect(`tok-${WS}`);
    const after = await handle.describe();
    expect(after.runId).toBe(before);
    expect(after.status.name).toBe('RUNNING');
  });

  it('the default loop picks up a new and an updated conversation', async () => {
    const sim = stack.sim.workspace(WS);
    const created = createSyncedConversation(sim);
    const existing = sim.expected()[0]!.conversationId;
    sim.updateConversation(existing);
    const want = normalizeExpected(sim.expected());
    const wanted = (id: string) => want.find((e) => e.conversationId === id);
    const rows = await waitFor('new and updated conversations to land', async () => {
      const stored = await storedTickets(stack.t.db, WS);
      const c = stored.find((r) => r.conversationId === created);
      const u = stored.find((r) => r.conversationId === existing);
      return c && u && JSON.stringify(u) === JSON.stringify(wanted(existing)) && JSON.stringify(c) === JSON.stringify(wanted(created)) ? stored : null;
    }, 2 * CADENCE.defaultMs + DEADLINE_MS);
    // Each row exactly as Intercom has it, with its status history.
    expect(rows.find((r) => r.conversationId === created)).toEqual(wanted(created));
    expect(rows.find((r) => r.conversationId === existing)).toEqual(wanted(existing));
    expect(wanted(created)!.statusEvents.length).toBeGreaterThan(0);
  });

  it("lands an agent's away-mode change and records the transition", async () => {
    const admin = stack.sim.workspace(WS).admins()[0]!;
    const away = !admin.away_mode_enabled;
    const state = (a: boolean) => (a ? 'away' : 'available');
    stack.sim.workspace(WS).setAway(admin.id, away);
    // How fast it lands is a benchmark figure (npm run bench -- --scenario fleet); here: within an interval plus a deadline.
    await waitFor('the agent state row', async () => {
      const r = await stack.t.db.selectFrom('agent_states').selectAll().where('workspace_id', '=', WS).where('admin_id', '=', admin.id).executeTakeFirst();
      return r && r.state === state(away) ? r : null;
    }, CADENCE.agentStatesMs + DEADLINE_MS, 50);
    const events = await stack.t.db.selectFrom('agent_state_events').selectAll().where('workspace_id', '=', WS).where('admin_id', '=', admin.id).orderBy('started_at').execute();
    expect(events.at(-1)?.state).toBe(state(away));
    expect(events.at(-2)?.state).toBe(state(!away));
  });

  it('pause sends zero requests while paused; resume restarts the loops', async () => {
    const view = await sendCommand(stack.env.client, WS, 'pause');
    expect(view.status).toBe('Paused');
    await waitFor('the gate to close', async () => (await stack.deps.gate.blockedReason(WS)) === 'paused');
    stack.sim.resetStats();
    // Not one request while four agent_states intervals and two default intervals pass.
    await holdsFor('a request while paused', async () => stack.sim.stats().byWorkspace[WS]?.requests, 2 * CADENCE.defaultMs);
    expect(stack.sim.stats().byWorkspace[WS]?.requests ?? 0).toBe(0);

    expect((await sendCommand(stack.env.client, WS, 'resume')).status).not.toBe('Paused');
    await waitFor('requests after resume', async () => (stack.sim.stats().byWorkspace[WS]?.requests ?? 0) > 0, 10_000);
  });

  it('rejects invalid resync arguments and runs a valid resync', async () => {
    await expect(sendCommand(stack.env.client, WS, 'resync', { fromSec: 200, toSec: 100 })).rejects.toThrow(/fromSec \(200\) must be before toSec/);
    await expect(sendCommand(stack.env.client, WS, 'resync', { fromSec: -1 } as never)).rejects.toThrow(/non-negative integer/);
    const sim = stack.sim.workspace(WS);
    const newest = Math.max(...sim.expected().map((e) => e.createdAt));
    stack.sim.resetStats();
    const view = await sendCommand(stack.env.client, WS, 'resync', { fromSec: newest - 30 * 86400, toSec: newest + 1 });
    expect(view.status).toBe('Sync in progress');
    await waitFor('resync to finish', async () => (await status()).jobs.resync?.done === true, 60_000);
    const inRange = sim.expected().filter((e) => e.createdAt >= newest - 30 * 86400);
    // A resync refetches every stored conversation of the range, even unchanged ones.
    for (const e of inRange) expect(stack.sim.stats().conversationFetches[e.conversationId] ?? 0).toBeGreaterThanOrEqual(1);
    expect((await status()).status).toBe('Synced');
  });

  it('a revoked token leads to Needs reauthorization without a retry storm; reauthorized resumes', async () => {
    stack.sim.revokeToken(WS);
    stack.sim.resetStats();
    await waitFor('Needs reauthorization', async () => (await status()).status === 'Needs reauthorization', 30_000);
    const afterStatus = stack.sim.stats().byWorkspace[WS]?.requests ?? 0;
    // No request at all leaves once the workspace waits for a reauthorization (over three agent_states intervals).
    await holdsFor('a request while waiting for reauthorization', async () => ((stack.sim.stats().byWorkspace[WS]?.requests ?? 0) > afterStatus ? stack.sim.stats().byWorkspace[WS] : null), 3 * CADENCE.agentStatesMs);
    expect(afterStatus).toBeLessThan(10);

    const token = stack.sim.issueToken(WS);
    await stack.connect(token);
    await waitFor('Synced again', async () => (await status()).status === 'Synced', 30_000);
    // Every loop runs again: an away-mode change lands, and a new conversation is picked up.
    const admin = stack.sim.workspace(WS).admins()[1]!;
    const away = !admin.away_mode_enabled;
    stack.sim.workspace(WS).setAway(admin.id, away);
    const created = createSyncedConversation(stack.sim.workspace(WS));
    await waitFor('agent states polling again', async () => {
      const r = await stack.t.db.selectFrom('agent_states').select('state').where('workspace_id', '=', WS).where('admin_id', '=', admin.id).executeTakeFirst();
      return r?.state === (away ? 'away' : 'available');
    }, CADENCE.agentStatesMs + DEADLINE_MS);
    const want = normalizeExpected(stack.sim.workspace(WS).expected()).find((e) => e.conversationId === created);
    const row = await waitFor('the default loop to store the new conversation', async () => (await storedTickets(stack.t.db, WS)).find((r) => r.conversationId === created && JSON.stringify(r) === JSON.stringify(want)), CADENCE.defaultMs + DEADLINE_MS);
    expect(row).toEqual(want);
    expect(row.statusEvents.length).toBeGreaterThan(0);
  });

  it('never puts an access token in a workflow history', async () => {
    const handle = stack.env.client.workflow.getHandle(workspaceWorkflowId(WS));
    const history = JSON.stringify(await handle.fetchHistory());
    expect(history).not.toContain(`tok-${WS}`);
    const q = await handle.query(statusQuery);
    expect(JSON.stringify(q)).not.toContain('tok-');
  });

  it('disconnect stops every job and deletes the token', async () => {
    const view = await sendCommand(stack.env.client, WS, 'disconnect');
    expect(view.status).toBe('Disconnected');
    await waitFor('credentials deleted', async () => {
      const c = await stack.t.db.selectFrom('intercom_credentials').select('workspace_id').where('workspace_id', '=', WS).executeTakeFirst();
      return c === undefined;
    });
    const handle = stack.env.client.workflow.getHandle(workspaceWorkflowId(WS));
    await waitFor('workflow to complete', async () => (await handle.describe()).status.name === 'COMPLETED');
    if (process.env.RECORD_HISTORIES) await recordHistories(stack, [workspaceWorkflowId(WS), backfillChildId(WS), resyncChildId(WS, 1)]);
  });
});
