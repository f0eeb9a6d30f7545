import { workspaceStatus } from '../../src/cli/commands';
import { SUBJECT_MAX_CHARS } from '../../src/mapping/clean';
import type { ExpectedTicket } from '../../testkit/simulator';
import type { WorkspaceStatusView } from '../../workflows/types';
import { expectedInBackfill, storedTickets } from '../helpers/expectRows';
import { poisonThree } from '../helpers/poison';
import { startStack, waitFor, type Stack } from '../helpers/stack';

const WS = 'poison-wf';

describe('poisoned conversations in a real backfill and default loop', () => {
  let stack: Stack;
  const status = () => workspaceStatus(stack.env.client, WS) as Promise<WorkspaceStatusView>;
  const errors = () => stack.t.db.selectFrom('sync_errors').select(['conversation_id', 'problem']).where('workspace_id', '=', WS).orderBy('conversation_id').execute();

  beforeAll(async () => {
    stack = await startStack({
      simulator: { seed: 13, workspaces: [{ id: WS, name: 'Poison Workflow Co', region: 'us', conversations: 400 }] },
      workflow: { cadence: { defaultMs: 2_000, agentStatesMs: 1_000, agentPollerRunMs: 20_000 }, backfill: { heartbeatTimeoutMs: 10_000, failedWindowRetryMs: 1_000 } },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('the backfill reaches 100 % and Synced; the NUL subject is stored clean, the oversized one capped, the bad timestamp alone is in sync_errors; the default loop is not blocked', async () => {
    const ws = stack.sim.workspace(WS);
    // Victims well inside the five years the backfill covers, with a subject of their own.
    const nowSec = Date.now() / 1000;
    const candidates = ws
      .expected()
      .filter((e) => e.createdAt > nowSec - 4 * 365 * 86400 && e.createdAt < nowSec - 86400 && e.subject !== null && e.subject.length < 200)
      .sort((a, b) => a.createdAt - b.createdAt);
    const { nul, big, late } = poisonThree(ws, candidates, { first: 5, fromEnd: 5 });

    await stack.connect(`tok-${WS}`);
    const done = await waitFor('the backfill to finish', async () => {
      const v = await status();
      return v?.jobs.backfill.done ? v : null;
    }, 90_000);
    expect(done.jobs.backfill.percent).toBe(100);
    await waitFor('status Synced', async () => (await status()).status === 'Synced', 30_000);

    const expected = await expectedInBackfill(stack, WS);
    const stored = await storedTickets(stack.t.db, WS);
    const without = (rows: ExpectedTicket[], ...ids: string[]) => rows.filter((r) => !ids.includes(r.conversationId));
    expect(without(stored, big.conversationId)).toEqual(without(expected, big.conversationId, late.conversationId));
    expect(stored.find((s) => s.conversationId === nul.conversationId)?.subject).toBe(nul.subject);
    const storedBig = stored.find((s) => s.conversationId === big.conversationId);
    expect(storedBig?.subject).toHaveLength(SUBJECT_MAX_CHARS);
    expect(storedBig?.subject?.startsWith(`${big.subject} x`)).toBe(true);
    expect((await errors()).map((e) => e.conversation_id)).toEqual([late.conversationId]);

    // The default loop: a poisoned new conversation next to a good one.
    const create = () => {
      for (;;) {
        const c = ws.createConversation();
        if (ws.expected().some((e) => e.conversationId === c.id)) return c;
      }
    };
    const poisoned = create();
    ws.setPoison(poisoned.id, 'bad_timestamp');
    const fine = create();
    await waitFor('the default loop to store the good conversation', async () =>
      (await stack.t.db.selectFrom('tickets').select('conversation_id').where('workspace_id', '=', WS).where('conversation_id', '=', fine.id).executeTakeFirst()) !== undefined,
    30_000);
    await waitFor('the poisoned one to be recorded', async () => (await errors()).some((e) => e.conversation_id === poisoned.id), 30_000);
    expect((await errors()).map((e) => e.conversation_id).sort()).toEqual([late.conversationId, poisoned.id].sort());
    const runsBefore = (await status()).jobs.default.runs;
    await waitFor('the default loop to keep running', async () => (await status()).jobs.default.runs > runsBefore, 30_000);
    // Visible, not stuck: the status says what was passed over.
    expect((await status()).jobs.default.lastError).toMatch(/passed over/);
  });
});
