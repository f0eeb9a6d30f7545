import {
  adminListSchema,
  conversationSchema,
  errorListSchema,
  meSchema,
  tagListSchema,
  teamListSchema,
} from '../../src/intercom/schemas';
import type { Simulator } from '../../testkit/simulator';
import { PART_CAP, startSimulator } from '../../testkit/simulator';
import { call, errorCode, FIXED_NOW } from './helpers';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({
    seed: 11,
    now: () => FIXED_NOW,
    ratePerMinute: 100_000,
    workspaces: [
      { id: 'sim-ws-1', name: 'Simulated Co', region: 'us', conversations: 200 },
      { id: 'eu-ws', name: 'Euro Co', region: 'eu', conversations: 10, admins: 3, teams: 2, tags: 4, token: 'eu-token' },
    ],
  });
});
afterAll(() => sim.stop());

describe('API routes', () => {
  it('GET /me names the workspace and its region', async () => {
    const us = meSchema.parse((await call(sim, '/me')).json);
    expect(us.app).toMatchObject({ id_code: 'sim-ws-1', name: 'Simulated Co', region: 'US' });
    const eu = meSchema.parse((await call(sim, '/me', { token: 'eu-token', headers: { 'Intercom-Version': '2.14' } })).json);
    expect(eu.app).toMatchObject({ id_code: 'eu-ws', name: 'Euro Co', region: 'Europe', timezone: 'Europe/Dublin' });
  });

  it('lists admins, teams and tags in Intercom shapes', async () => {
    const admins = adminListSchema.parse((await call(sim, '/admins', { token: 'eu-token' })).json).admins;
    expect(admins).toHaveLength(3);
    const raw = (await call(sim, '/admins', { token: 'eu-token' })).json as { admins: Array<Record<string, unknown>> };
    expect(raw.admins[0]).toHaveProperty('job_title');
    expect(raw.admins[0]).toHaveProperty('has_inbox_seat');
    expect(raw.admins[0]).toHaveProperty('avatar');
    const teams = teamListSchema.parse((await call(sim, '/teams', { token: 'eu-token' })).json).teams;
    expect(teams).toHaveLength(2);
    const adminIds = new Set(admins.map((a) => a.id));
    for (const t of teams) for (const id of t.admin_ids ?? []) expect(adminIds.has(id)).toBe(true);
    expect(tagListSchema.parse((await call(sim, '/tags', { token: 'eu-token' })).json).data).toHaveLength(4);
  });

  it('GET /conversations/{id} returns the full conversation, capped at the 500 most recent parts', async () => {
    const ws = sim.workspace('sim-ws-1');
    const huge = ws.conversations().find((c) => c.conversation_parts.total_count > PART_CAP);
    if (huge === undefined) throw new Error('no huge conversation');
    const res = await call(sim, `/conversations/${huge.id}`);
    expect(res.status).toBe(200);
    const conv = conversationSchema.parse(res.json);
    const all = ws.allParts(huge.id);
    expect(conv.conversation_parts.conversation_parts).toHaveLength(PART_CAP);
    expect(conv.conversation_parts.total_count).toBe(all.length);
    expect(conv.conversation_parts.conversation_parts[0]?.id).toBe(all[all.length - PART_CAP]?.id);
    expect(conv.statistics?.count_conversation_parts).toBe(all.length + 1);
    expect(res.text).toContain(`PII-MARKER-${huge.id}`);
  });

  it('honours display_as=plaintext', async () => {
    const c = sim.workspace('sim-ws-1').conversations().find((x) => x.conversation_parts.conversation_parts.some((p) => p.body !== null));
    if (c === undefined) throw new Error('no conversation with bodies');
    const html = (await call(sim, `/conversations/${c.id}`)).json as { conversation_parts: { conversation_parts: Array<{ body: string | null }> } };
    const plain = (await call(sim, `/conversations/${c.id}?display_as=plaintext`)).json as typeof html;
    expect(html.conversation_parts.conversation_parts.some((p) => p.body?.startsWith('<p>'))).toBe(true);
    expect(plain.conversation_parts.conversation_parts.some((p) => p.body?.includes('<'))).toBe(false);
    expect(conversationSchema.safeParse(plain).success).toBe(true);
  });

  it('answers 404 error lists for unknown conversations, other workspaces and unknown routes', async () => {
    const missing = await call(sim, '/conversations/999');
    expect(missing.status).toBe(404);
    expect(errorListSchema.parse(missing.json).errors[0]).toMatchObject({ code: 'not_found' });
    const foreign = sim.workspace('eu-ws').conversations()[0]?.id ?? '';
    expect((await call(sim, `/conversations/${foreign}`)).status).toBe(404);
    const route = await call(sim, '/contacts');
    expect(route.status).toBe(404);
    expect(errorCode(route.json)).toBe('not_found');
  });

  it('rejects missing, unknown and revoked tokens with 401 and no rate-limit headers', async () => {
    for (const token of [null, 'nope']) {
      const res = await call(sim, '/admins', { token });
      expect(res.status).toBe(401);
      expect(errorListSchema.parse(res.json).errors[0]).toMatchObject({ code: 'unauthorized', message: 'Access Token Invalid' });
      expect(res.headers.get('x-ratelimit-limit')).toBeNull();
    }
    const spare = sim.issueToken('eu-ws');
    expect((await call(sim, '/me', { token: spare })).status).toBe(200);
    sim.revokeToken('eu-ws');
    expect((await call(sim, '/me', { token: 'eu-token' })).status).toBe(401);
    expect((await call(sim, '/me', { token: spare })).status).toBe(401);
    const fresh = sim.issueToken('eu-ws');
    expect(sim.workspace('eu-ws').tokens()).toEqual([fresh]);
    expect(meSchema.parse((await call(sim, '/me', { token: fresh })).json).app.id_code).toBe('eu-ws');
    expect((await call(sim, '/me')).status).toBe(200);
  });

  it('rejects an invalid Intercom-Version', async () => {
    const res = await call(sim, '/me', { headers: { 'Intercom-Version': 'banana' } });
    expect(res.status).toBe(400);
    expect(errorCode(res.json)).toBe('intercom_version_invalid');
  });

  it('counts requests by endpoint and successful conversation fetches', async () => {
    sim.resetStats();
    const id = sim.workspace('sim-ws-1').conversations()[5]?.id ?? '';
    await call(sim, `/conversations/${id}`);
    await call(sim, `/conversations/${id}`);
    await call(sim, '/conversations/404404');
    await call(sim, '/teams');
    await call(sim, '/conversations/search', { body: { query: { field: 'id', operator: '=', value: id } } });
    const s = sim.stats();
    expect(s.requests).toBe(5);
    expect(s.byEndpoint).toEqual({ 'GET /conversations/{id}': 3, 'GET /teams': 1, 'POST /conversations/search': 1 });
    expect(s.conversationFetches).toEqual({ [id]: 2 });
    expect(s.byWorkspace['sim-ws-1']).toMatchObject({ requests: 5, requests429: 0, windows: 1, maxInWindow: 5 });
  });
});
