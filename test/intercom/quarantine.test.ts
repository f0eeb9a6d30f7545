import type { SyncWindowResult } from '../../activities/types';
import { IntercomClient, type IntercomError } from '../../src/intercom/client';
import { InMemoryRateLimiter } from '../../src/ratelimit/memory';
import { useSimulatorActivities } from '../helpers/activities';
import { normalizeExpected, storedTickets } from '../helpers/expectRows';

const WS = 'big-ws';

describe('a conversation whose detail is over the size cap', () => {
  const ctx = useSimulatorActivities({ workspaceId: WS, name: 'Big Co', seed: 8, conversations: 120 });

  it('is quarantined in sync_errors after one answer, never stored as it came, and the rest of the window is stored', async () => {
    const expected = normalizeExpected(ctx.sim.workspace(WS).expected());
    const victim = expected[Math.floor(expected.length / 2)]!.conversationId;
    ctx.sim.workspace(WS).setPoison(victim, 'oversized_subject', { oversizedChars: 10 * 1024 * 1024 }); // a 10 MB subject
    const r: SyncWindowResult = await ctx.env().run(ctx.acts.syncConversationWindow, ctx.everything());
    expect(r).toMatchObject({ stored: expected.length - 1, failed: 1 });
    expect(ctx.sim.stats().conversationFetches[victim]).toBe(1); // the same answer would come again: not asked twice
    const errors = await ctx.db.selectFrom('sync_errors').selectAll().where('workspace_id', '=', WS).execute();
    expect(errors).toEqual([expect.objectContaining({ conversation_id: victim, attempts: 1 })]);
    expect(errors[0]!.problem).toContain('GET /conversations/{id}: response too large');
    const stored = await storedTickets(ctx.db, WS);
    expect(stored.map((x) => x.conversationId)).not.toContain(victim);
    expect(stored).toEqual(expected.filter((e) => e.conversationId !== victim));

    ctx.sim.workspace(WS).setPoison(victim, null);
    const again: SyncWindowResult = await ctx.env().run(ctx.acts.syncConversationWindow, { ...ctx.everything(), force: true });
    expect(again.failed).toBe(0);
    expect(await storedTickets(ctx.db, WS)).toEqual(expected);
    expect(await ctx.db.selectFrom('sync_errors').selectAll().where('workspace_id', '=', WS).execute()).toEqual([]);
  });

  it('a detail trickling in from the simulator (knob setTrickle) fails at the deadline, as a transient deadline_exceeded', async () => {
    const victim = ctx.sim.workspace(WS).conversations()[0]!.id;
    ctx.sim.workspace(WS).setTrickle(victim, 1000);
    try {
      const client = new IntercomClient({ workspaceId: WS, token: `tok-${WS}`, region: 'us', baseUrl: ctx.sim.baseUrl, http: ctx.http, limiter: new InMemoryRateLimiter({ initialLimit: 1000 }), timeoutMs: 1500, maxRetries: 0 });
      const err = await client.getConversation(victim).then(
        () => null,
        (e: unknown) => e as IntercomError,
      );
      expect(err).toMatchObject({ code: 'deadline_exceeded', retryable: true, endpoint: 'GET /conversations/{id}' });
    } finally {
      ctx.sim.workspace(WS).setTrickle(victim, 0);
    }
  }, 30_000);
});
