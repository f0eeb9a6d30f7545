import type { SyncUpdatedResult, SyncWindowResult } from '../../activities/types';
import { SUBJECT_MAX_CHARS } from '../../src/mapping/clean';
import type { ExpectedTicket } from '../../testkit/simulator';
import { useSimulatorActivities } from '../helpers/activities';
import { normalizeExpected, storedTickets } from '../helpers/expectRows';
import { poisonThree } from '../helpers/poison';

const WS = 'poison-ws';

describe('a poisoned conversation (NUL or oversized subject, impossible timestamp) never stops a sync', () => {
  const ctx = useSimulatorActivities({ workspaceId: WS, name: 'Poison Co', seed: 9, conversations: 300 });
  const errors = () => ctx.db.selectFrom('sync_errors').select(['conversation_id', 'problem']).where('workspace_id', '=', WS).orderBy('conversation_id').execute();

  it('a window stores the NUL subject cleaned and the oversized one capped, quarantines the bad timestamp with its reason, and finishes', async () => {
    const ws = ctx.sim.workspace(WS);
    const expected = normalizeExpected(ws.expected());
    const candidates = expected.filter((e) => e.subject !== null && e.subject.length < 200 && !e.partsTruncated);
    const { nul, big, late } = poisonThree(ws, candidates, { first: 3, fromEnd: 4 });
    expect(ws.poisoned()).toEqual(new Map([[nul.conversationId, 'nul_subject'], [big.conversationId, 'oversized_subject'], [late.conversationId, 'bad_timestamp']]));

    const r: SyncWindowResult = await ctx.env().run(ctx.acts.syncConversationWindow, ctx.everything());
    expect(r).toMatchObject({ stored: expected.length - 1, failed: 1 });

    const stored = await storedTickets(ctx.db, WS);
    const storedBig = stored.find((s) => s.conversationId === big.conversationId);
    expect(storedBig?.subject).toHaveLength(SUBJECT_MAX_CHARS);
    expect(storedBig?.subject?.startsWith(`${big.subject} xxx`)).toBe(true);
    // Every other row is exactly the oracle's, the NUL subject included (stored without its NULs).
    const rest = (rows: ExpectedTicket[]) => rows.filter((x) => x.conversationId !== big.conversationId);
    expect(rest(stored)).toEqual(rest(expected.filter((e) => e.conversationId !== late.conversationId)));
    expect(stored.find((s) => s.conversationId === nul.conversationId)?.subject).toBe(nul.subject);

    const recorded = await errors();
    expect(recorded.map((e) => e.conversation_id)).toEqual([late.conversationId]);
    expect(recorded[0]?.problem).toMatch(/created_at/);
    expect(recorded[0]?.problem).toMatch(/out of any representable range/);
  });

  it('a sync after the record is fixed stores it and forgets the failure', async () => {
    const ws = ctx.sim.workspace(WS);
    const [late] = [...ws.poisoned()].find(([, kind]) => kind === 'bad_timestamp') ?? [];
    ws.setPoison(late as string, null);
    const r: SyncWindowResult = await ctx.env().run(ctx.acts.syncConversationWindow, ctx.everything());
    expect(r).toMatchObject({ stored: 1, failed: 0 });
    expect(await errors()).toEqual([]);
  });

  it('the default loop passes a poisoned update over, stores the others, and moves its watermark', async () => {
    const ws = ctx.sim.workspace(WS);
    const since = Math.max(...ws.expected().map((e) => e.updatedAt));
    // Conversations created now; only those with a contact reply are synced (others are ignored).
    const create = () => {
      for (;;) {
        const c = ws.createConversation();
        if (ws.expected().some((e) => e.conversationId === c.id)) return c;
      }
    };
    // A conversation created while the rate is 1 is poisoned (with a kind drawn at random): the live-mode knob.
    ws.setPoisonRate(1);
    const poisoned = create();
    ws.setPoisonRate(0);
    expect(ws.poisoned().has(poisoned.id)).toBe(true);
    ws.setPoison(poisoned.id, 'bad_timestamp');
    const fine = create();
    expect(ws.poisoned().has(fine.id)).toBe(false);

    const r: SyncUpdatedResult = await ctx.env().run(ctx.acts.syncUpdatedConversations, { workspaceId: WS, sinceSec: since });
    expect(r.cursorSec).toBeGreaterThanOrEqual(fine.updated_at);
    const storedIds = new Set((await storedTickets(ctx.db, WS)).map((s) => s.conversationId));
    expect(storedIds.has(fine.id)).toBe(true);
    expect(storedIds.has(poisoned.id)).toBe(false);
    expect((await errors()).map((e) => e.conversation_id)).toEqual([poisoned.id]);
    expect(r.failed).toBe(1);
  });
});
