import { workspaceWorkflowId } from '../../workflows/ids';
import { waitFor } from '../helpers/stack';
import { useWorkerStack } from '../helpers/workerProcess';

// The agent-state poller heartbeats rarely (issue 13): a killed worker's poller is not found by a
// heartbeat timeout but by the default loop, which sees its last poll stale in Postgres and starts
// a new run (which takes the lease over) on whichever worker is alive. Bound: one default cadence
// after the poll goes stale (max(30 s, 4 × the agent-state interval)).
const WS = 'poller-takeover-ws';

describe('a killed worker’s agent-state poller resumes on another worker', () => {
  const ctx = useWorkerStack({
    simulator: { seed: 13, latencyMs: 2, workspaces: [{ id: WS, name: 'Takeover Co', region: 'us', conversations: 30 }] },
    workflow: { cadence: { defaultMs: 3_000, agentStatesMs: 1_000, agentPollerRunMs: 30 * 60_000 } },
  });

  const pendingPollers = async () => {
    const d = await ctx.stack.env.client.workflow.getHandle(workspaceWorkflowId(WS)).describe();
    return (d.raw.pendingActivities ?? []).filter((a) => a.activityType?.name === 'pollAgentStates' && a.lastWorkerIdentity);
  };
  const pendingPoller = async () => (await pendingPollers())[0];
  const agentState = async (adminId: string) =>
    (await ctx.stack.t.db.selectFrom('agent_states').select('state').where('workspace_id', '=', WS).where('admin_id', '=', adminId).executeTakeFirst())?.state;

  it('the poller moves to the surviving worker and agent states keep arriving', async () => {
    const a = ctx.workers.start();
    const b = ctx.workers.start();
    await waitFor('both workers to poll', async () => (ctx.workers.output().match(/worker polling/g) ?? []).length === 2, 60_000);
    await ctx.stack.connect(`tok-${WS}`);
    const first = await waitFor('a running poller', pendingPoller, 60_000);
    const victimPid = Number(first.lastWorkerIdentity?.split('@')[0]);
    const victim = [a, b].find((c) => c.pid === victimPid);
    const survivor = [a, b].find((c) => c.pid !== victimPid);
    expect(victim).toBeDefined();
    expect(survivor).toBeDefined();
    // The lease names the running attempt.
    const lease = await waitFor('the lease', () => ctx.stack.t.db.selectFrom('agent_poll_leases').selectAll().where('workspace_id', '=', WS).executeTakeFirst(), 30_000);
    expect(lease.expires_at.getTime()).toBeGreaterThan(Date.now());

    victim?.kill('SIGKILL');
    const killedAt = Date.now();
    // An away flip after the kill reaches Postgres only through a poller on the surviving worker.
    const sim = ctx.stack.sim.workspace(WS);
    const admin = sim.admins()[0];
    if (!admin) throw new Error('the simulated workspace has no admin');
    sim.setAway(admin.id, !admin.away_mode_enabled);
    const expected = admin.away_mode_enabled ? 'available' : 'away';
    // Up to a default activity's heartbeat timeout (1 min) more when it was dispatched to the killed worker too.
    await waitFor('the flip seen after the kill', async () => (await agentState(admin.id)) === expected, 200_000, 200);
    // The poll's time is written just after its states (same tick), so it may trail the flip by a moment.
    await waitFor('a poll recorded after the kill', async () => {
      const polled = await ctx.stack.t.db.selectFrom('workspaces').select('agents_polled_at').where('id', '=', WS).executeTakeFirstOrThrow();
      return (polled.agents_polled_at?.getTime() ?? 0) > killedAt;
    }, 30_000);
    // (The dead run stays pending, cancel requested, until its long heartbeat timeout: it polls nothing.)
    const now = await waitFor('the poller on the survivor', async () => (await pendingPollers()).find((p) => Number(p.lastWorkerIdentity?.split('@')[0]) === survivor?.pid), 60_000);
    expect(now.activityId).not.toBe(first.activityId);
    const newLease = await ctx.stack.t.db.selectFrom('agent_poll_leases').selectAll().where('workspace_id', '=', WS).executeTakeFirstOrThrow();
    expect(newLease.owner).not.toBe(lease.owner);
  }, 300_000);
});
