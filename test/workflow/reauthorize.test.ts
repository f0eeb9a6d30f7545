import { workspaceStatus } from '../../src/cli/commands';
import { expectedInBackfill, refetched, storedTickets } from '../helpers/expectRows';
import { holdsFor, startStack, waitFor, type Stack } from '../helpers/stack';

const WS = 'reauth-ws';

describe('a token revoked mid-backfill', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      simulator: { seed: 21, ratePerMinute: 6000, latencyMs: 5, workspaces: [{ id: WS, name: 'Reauth Co', region: 'au', conversations: 2000 }] },
      workflow: { cadence: { defaultMs: 5_000, agentStatesMs: 1_000, agentPollerRunMs: 30_000 } },
    });
  });
  afterAll(async () => stack?.stop());

  const status = async () => (await workspaceStatus(stack.env.client, WS))!;
  const stored = async () => Number((await stack.t.db.selectFrom('tickets').select((eb) => eb.fn.countAll().as('n')).where('workspace_id', '=', WS).executeTakeFirstOrThrow()).n);

  it('stops every request, then resumes each job from its checkpoint after reauthorization', async () => {
    await stack.connect(`tok-${WS}`);
    await waitFor('the backfill to be under way', async () => (await stored()) >= 300, 60_000, 50);
    stack.sim.revokeToken(WS);
    await waitFor('Needs reauthorization', async () => (await status()).status === 'Needs reauthorization', 30_000);

    // No retry storm: once the status says so, not a single request leaves.
    const settled = stack.sim.stats().byWorkspace[WS]?.requests ?? 0;
    // Three agent_states intervals (1 s here) pass without a request.
    await holdsFor('a request while waiting for reauthorization', async () => ((stack.sim.stats().byWorkspace[WS]?.requests ?? 0) > settled ? stack.sim.stats().byWorkspace[WS] : null), 3_000);
    expect(stack.sim.stats().byWorkspace[WS]?.requests ?? 0).toBe(settled);
    expect((await status()).jobs.backfill.done).toBe(false);

    await stack.connect(stack.sim.issueToken(WS));
    await waitFor('the backfill to finish', async () => (await status()).jobs.backfill.done === true, 120_000);
    expect((await status()).status).toBe('Synced');
    expect(await storedTickets(stack.t.db, WS)).toEqual(await expectedInBackfill(stack, WS));
    // Resumed from the checkpoints, not from the start: hardly any conversation was fetched twice.
    expect(refetched(stack.sim.stats().conversationFetches)).toBeLessThanOrEqual(150);
  });
});
