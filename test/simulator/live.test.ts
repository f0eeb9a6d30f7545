import { adminListSchema, conversationSchema, searchResponseSchema } from '../../src/intercom/schemas';
import type { Simulator } from '../../testkit/simulator';
import { startSimulator } from '../../testkit/simulator';
import { holdsFor } from '../helpers/stack';
import { call, FIXED_NOW, isHumanAdminComment, search } from './helpers';

let clock = FIXED_NOW;
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ now: () => clock, ratePerMinute: 100_000, workspaces: [{ id: 'sim-ws-1', name: 'A', region: 'us', conversations: 30 }] });
});
afterAll(() => sim.stop());

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((r) => setImmediate(r));
  }
}

describe('changing data', () => {
  it('creates conversations that search returns first', async () => {
    const ws = sim.workspace('sim-ws-1');
    clock += 1000;
    const created = ws.createConversation();
    expect(created.created_at).toBe(Math.floor(clock / 1000));
    expect(created.updated_at).toBe(created.created_at);
    expect(created.first_contact_reply).not.toBeNull();
    expect(ws.piiMarkers()).toContain(`PII-MARKER-${created.id}`);
    const res = searchResponseSchema.parse((await search(sim, { field: 'created_at', operator: '>', value: created.created_at })).json);
    expect(res.conversations.map((c) => c.id)).toEqual([created.id]);
    expect(ws.expected().find((e) => e.conversationId === created.id)).toMatchObject({ firstRespondedAt: null, status: 'open' });
  });

  it('updates a conversation with a reply and a state change, bumping updated_at', async () => {
    const ws = sim.workspace('sim-ws-1');
    const created = ws.createConversation();
    clock += 90_000;
    ws.updateConversation(created.id);
    const at = Math.floor(clock / 1000);
    const conv = conversationSchema.parse((await call(sim, `/conversations/${created.id}`)).json);
    expect(conv.updated_at).toBe(at);
    expect(conv.state).toBe('closed');
    const e = ws.expected().find((x) => x.conversationId === created.id);
    expect(e?.firstRespondedAt).toBe(at);
    expect(e?.firstResponseDuration).toBe(at - created.created_at);
    expect(e?.statusEvents.at(-1)).toMatchObject({ status: 'closed', occurredAt: at });
    expect(ws.allParts(created.id).filter(isHumanAdminComment).at(-1)?.created_at).toBe(at);
    clock += 1000;
    ws.updateConversation(created.id);
    expect(ws.conversation(created.id)?.state).toBe('open');
    expect(ws.expected().find((x) => x.conversationId === created.id)?.firstRespondedAt).toBe(at);
  });

  it('reflects setAway in GET /admins', async () => {
    const ws = sim.workspace('sim-ws-1');
    const admin = ws.admins()[2];
    if (admin === undefined) throw new Error('no admin');
    ws.setAway(admin.id, !admin.away_mode_enabled, true);
    const listed = adminListSchema.parse((await call(sim, '/admins')).json).admins.find((a) => a.id === admin.id);
    expect(listed?.away_mode_enabled).toBe(!admin.away_mode_enabled);
    expect(listed?.away_mode_reassign).toBe(true);
  });

  it('live mode keeps creating and updating conversations and flipping away modes until stopped', async () => {
    const ws = sim.workspace('sim-ws-1');
    const before = ws.conversations().length;
    const away = (): string => JSON.stringify(ws.admins().map((a) => a.away_mode_enabled));
    const awayBefore = away();
    sim.startLive({ intervalMs: 10 });
    try {
      await until(() => ws.conversations().length >= before + 3);
      await until(() => away() !== awayBefore);
    } finally {
      sim.stopLive();
    }
    const stopped = ws.conversations().length;
    expect(stopped).toBeGreaterThanOrEqual(before + 3);
    // Stopped means stopped: ten intervals pass without a new conversation.
    await holdsFor('a conversation created after stopLive', async () => ws.conversations().length !== stopped, 100, 10);
    expect(ws.conversations().length).toBe(stopped);
  });
});
