import { sql } from 'kysely';
import { workspaceStatus } from '../../src/cli/commands';
import { countTickets, staleMapping } from '../../src/repositories/tickets';
import type { WorkspaceStatusView } from '../../workflows/types';
import { expectedInBackfill, storedTickets } from '../helpers/expectRows';
import { holdsFor, startStack, waitFor, type Stack } from '../helpers/stack';

// The default tick's deleted-list reading and the one-time upgrade refetch, through the running
// workspace workflow (real Temporal, worker, Postgres, simulator).

const WS = 'del-up-ws';
const OLD = 'del-up-old-api';

describe('deleted conversations and the upgrade refetch', () => {
  let stack: Stack;
  const status = async (id: string) => (await workspaceStatus(stack.env.client, id)) as WorkspaceStatusView | null;

  beforeAll(async () => {
    stack = await startStack({
      // Runs continue as new often: each new run counts stale rows again.
      dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 60 },
      simulator: {
        seed: 31,
        workspaces: [
          { id: WS, name: 'Del Up Co', region: 'us', conversations: 120 },
          { id: OLD, name: 'Old API Co', region: 'us', conversations: 30 },
        ],
      },
      workflow: { cadence: { defaultMs: 1_000, agentStatesMs: 1_000, agentPollerRunMs: 20_000, reconcileEveryMs: 1_000, deletionsEveryMs: 1_000 }, backfill: { heartbeatTimeoutMs: 10_000 } },
    });
    stack.sim.workspace(OLD).setDeletedListingAvailable(false);
    await stack.connect(`tok-${WS}`);
    await stack.connect(`tok-${OLD}`);
    for (const id of [WS, OLD]) await waitFor(`the backfill of ${id}`, async () => (await status(id))?.jobs.backfill.done, 180_000);
  });
  afterAll(async () => stack?.stop());

  it('a conversation deleted in Intercom (gone from search at once) is marked from the deleted list and leaves the counts', async () => {
    const victim = (await expectedInBackfill(stack, WS)).at(-3)!;
    const before = await countTickets(stack.t.db, WS);
    stack.sim.workspace(WS).deleteConversation(victim.conversationId);
    await waitFor('the deletion mark', async () =>
      stack.t.db.selectFrom('tickets').select('deleted_at').where('workspace_id', '=', WS).where('conversation_id', '=', victim.conversationId).where('deleted_at', 'is not', null).executeTakeFirst(),
    );
    expect(await countTickets(stack.t.db, WS)).toBe(before - 1);
    expect((await storedTickets(stack.t.db, WS)).find((t) => t.conversationId === victim.conversationId)).toBeUndefined();
    const view = await waitFor('the deletion in the status', async () => {
      const v = await status(WS);
      return v?.jobs.deletions && v.jobs.deletions.marked >= 1 ? v : null;
    });
    expect(view.jobs.deletions).toMatchObject({ supported: true, lastError: null });
  });

  it('a workspace whose API lacks the deleted list says so in the status', async () => {
    const view = await waitFor('the deleted-list run', async () => {
      const v = await status(OLD);
      return v?.jobs.deletions && v.jobs.deletions.supported !== null ? v : null;
    });
    expect(view.jobs.deletions).toMatchObject({ supported: false, lastError: null, marked: 0 });
  });

  it('reconciliation marks a conversation deleted where the API lacks the list, within its daily share', async () => {
    // Older than the pass's indexing lag (an hour).
    const victim = (await expectedInBackfill(stack, OLD)).filter((e) => e.createdAt * 1000 < Date.now() - 2 * 3_600_000).at(0)!;
    stack.sim.workspace(OLD).deleteConversation(victim.conversationId);
    await waitFor('the reconciliation mark', async () =>
      stack.t.db.selectFrom('tickets').select('deleted_at').where('workspace_id', '=', OLD).where('conversation_id', '=', victim.conversationId).where('deleted_at', 'is not', null).executeTakeFirst(),
    60_000);
    const view = await waitFor('the reconciliation in the status', async () => {
      const v = await status(OLD);
      return v?.jobs.deletions?.reconcile && v.jobs.deletions.marked >= 1 && v.jobs.deletions.reconcile.passes >= 1 ? v : null;
    });
    expect(view.jobs.deletions?.reconcile?.checked).toBeGreaterThan(0);
    // Only the victim: every other stored ticket is still listed by Intercom.
    expect(await countTickets(stack.t.db, OLD)).toBe((await expectedInBackfill(stack, OLD)).length);
    const spent = await stack.t.db.selectFrom('reconciliation_requests').select('requests').where('workspace_id', '=', OLD).executeTakeFirst();
    expect(spent?.requests).toBeGreaterThan(0);

    // The day's 2 % share spent: no more requests today, and the status says so.
    await stack.t.db.updateTable('reconciliation_requests').set({ requests: 1_000_000_000 }).where('workspace_id', '=', OLD).execute();
    await waitFor('the budget stop in the status', async () => (await status(OLD))?.jobs.deletions?.reconcile?.budgetExhaustedAt ?? null);
    const frozen = (await status(OLD))!.jobs.deletions!.reconcile!.requests;
    const ticks = (await status(OLD))!.jobs.default.runs;
    await holdsFor('no reconciliation request over the share', async () => (await status(OLD))!.jobs.deletions!.reconcile!.requests !== frozen, 3_000);
    expect((await status(OLD))!.jobs.default.runs).toBeGreaterThan(ticks);
  });

  it('rows written before attribution are refetched without an operator, and the status shows it', async () => {
    const expected = await expectedInBackfill(stack, WS);
    // Rows as the pre-attribution mapping left them.
    const made = await sql`update tickets set mapping_version = 1, assignee_admin_id = null, team_id = null, first_responder_admin_id = null,
        source_type = null, source_delivered_as = null, priority = null, tag_ids = null
      where workspace_id = ${WS} and deleted_at is null`.execute(stack.t.db);
    expect(Number(made.numAffectedRows)).toBeGreaterThan(50);
    expect((await staleMapping(stack.t.db, WS)).stale).toBeGreaterThan(50);
    await waitFor('the stale rows refetched', async () => (await staleMapping(stack.t.db, WS)).stale === 0, 120_000);
    expect(await storedTickets(stack.t.db, WS)).toEqual(expected);
    const view = await waitFor('the upgrade in the status', async () => {
      const v = await status(WS);
      return v?.jobs.upgrade && v.jobs.upgrade.refetched >= Number(made.numAffectedRows) ? v : null;
    }, 30_000);
    expect(view.jobs.upgrade).toMatchObject({ lastError: null, failed: 0 });
  });
});
