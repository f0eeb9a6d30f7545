import { verifyReport, workspaceStatus } from '../../src/cli/commands';
import type { WorkspaceStatusView } from '../../workflows/types';
import { expectedInBackfill, storedTickets } from '../helpers/expectRows';
import { startStack, waitFor, type Stack } from '../helpers/stack';

// The running workspace workflow (real Temporal, worker, Postgres, simulator) keeps attribution and
// the catalog current: a hire reaches agents through the agent-state poller, a retag and a
// reassignment (to a tag and a team created after the connect) reach tickets, ticket_queues,
// queues and teams through the default loop, and a conversation deleted in Intercom stops counting.

const WS = 'attr-wf-ws';

async function nextSecond(): Promise<void> {
  const s = Math.floor(Date.now() / 1000);
  await waitFor('the next second', async () => Math.floor(Date.now() / 1000) > s, 2_000, 20);
}

describe('attribution through the running workflow', () => {
  let stack: Stack;
  const ws = () => stack.sim.workspace(WS);
  const stored = async (id: string) => (await storedTickets(stack.t.db, WS)).find((x) => x.conversationId === id);

  beforeAll(async () => {
    stack = await startStack({
      simulator: { seed: 21, workspaces: [{ id: WS, name: 'Attr WF Co', region: 'us', conversations: 150 }] },
      workflow: { cadence: { defaultMs: 1_000, agentStatesMs: 500, agentPollerRunMs: 20_000 }, backfill: { heartbeatTimeoutMs: 10_000 } },
    });
    await stack.connect(`tok-${WS}`);
    await waitFor('the backfill', async () => ((await workspaceStatus(stack.env.client, WS)) as WorkspaceStatusView | null)?.jobs.backfill.done, 90_000);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('backfills every attribution column exactly', async () => {
    expect(await storedTickets(stack.t.db, WS)).toEqual(await expectedInBackfill(stack, WS));
  });

  it('a hire is in agents within a poll; a retag and a reassignment to a new tag and team reach tickets and the catalog', async () => {
    const hire = ws().hireAdmin({ name: 'Wanda Workflow' });
    await waitFor('the hire in agents', async () =>
      stack.t.db.selectFrom('agents').select('admin_id').where('workspace_id', '=', WS).where('admin_id', '=', hire.id).where('removed_at', 'is', null).executeTakeFirst(),
    );

    const target = (await expectedInBackfill(stack, WS)).at(-1)!;
    const tag = ws().createTag('after-connect');
    const team = ws().createTeam('After connect');
    await nextSecond();
    ws().retag(target.conversationId, [tag.id]);
    ws().reassign(target.conversationId, { adminId: hire.id, teamId: team.id });
    const row = await waitFor('the retag and reassignment in tickets', async () => {
      const s = await stored(target.conversationId);
      return s && s.tagIds.join() === tag.id && s.assigneeAdminId === hire.id && s.teamId === team.id ? s : null;
    });
    expect(row).toMatchObject({ tagIds: [tag.id], assigneeAdminId: hire.id, teamId: team.id });
    // The catalog read follows the flush that stored the ticket, in the same activity run.
    expect(await waitFor('the new tag in queues', () => stackQueue(tag.id))).toEqual({ name: 'after-connect', removed_at: null });
    await waitFor('the new team in teams', async () => stack.t.db.selectFrom('teams').select('name').where('workspace_id', '=', WS).where('team_id', '=', team.id).executeTakeFirst());
    expect((await stack.t.db.selectFrom('teams').select('name').where('workspace_id', '=', WS).where('team_id', '=', team.id).executeTakeFirst())?.name).toBe('After connect');
  });

  it('a conversation deleted in Intercom (still in search for a while) is marked and leaves verify', async () => {
    const victim = (await expectedInBackfill(stack, WS)).at(-2)!;
    await nextSecond();
    ws().updateConversation(victim.conversationId);
    ws().deleteConversation(victim.conversationId, undefined, { searchLagMs: 60_000 });
    await waitFor('the deletion mark', async () =>
      stack.t.db.selectFrom('tickets').select('deleted_at').where('workspace_id', '=', WS).where('conversation_id', '=', victim.conversationId).where('deleted_at', 'is not', null).executeTakeFirst(),
    );
    expect(await stored(victim.conversationId)).toBeUndefined();
    const report = await verifyReport(stack.t.db, WS, 3);
    const day = new Date(victim.createdAt * 1000).toISOString().slice(0, 10);
    const contacts = ws().expected().filter((e) => new Date(e.createdAt * 1000).toISOString().slice(0, 10) === day).length;
    if (Date.now() - victim.createdAt * 1000 < 2 * 86_400_000) expect(report.text).toMatch(new RegExp(`${day}\\s+${contacts}\\b`));
    expect(report.text).toContain('Wanda Workflow');
  });

  async function stackQueue(tagId: string) {
    return stack.t.db.selectFrom('queues').select(['name', 'removed_at']).where('workspace_id', '=', WS).where('tag_id', '=', tagId).executeTakeFirst();
  }
});
