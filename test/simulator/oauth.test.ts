import { errorListSchema, meSchema, tokenResponseSchema } from '../../src/intercom/schemas';
import type { Simulator } from '../../testkit/simulator';
import { startSimulator } from '../../testkit/simulator';
import { call, FIXED_NOW } from './helpers';

let clock = FIXED_NOW;
let sim: Simulator;
const redirect = 'https://app.example.com/oauth/callback?x=1';

beforeAll(async () => {
  sim = await startSimulator({
    now: () => clock,
    oauth: { clientId: 'cid', clientSecret: 'secret' },
    workspaces: [
      { id: 'first', name: 'First Co', region: 'us', conversations: 3 },
      { id: 'second', name: 'Second Co', region: 'au', conversations: 3 },
    ],
  });
});
afterAll(() => sim.stop());

async function authorize(extra = ''): Promise<URL> {
  const res = await call(sim, `/oauth?client_id=cid&redirect_uri=${encodeURIComponent(redirect)}&state=st%26ate${extra}`, { token: null });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') ?? '');
}

async function exchange(body: Record<string, string>, json = false): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sim.baseUrl}/auth/eagle/token`, {
    method: 'POST',
    headers: { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded' },
    body: json ? JSON.stringify(body) : new URLSearchParams(body).toString(),
  });
  return { status: res.status, body: await res.json() };
}

describe('OAuth', () => {
  it('redirects with a one-time code that exchanges for a working token', async () => {
    const loc = await authorize();
    expect(`${loc.origin}${loc.pathname}`).toBe('https://app.example.com/oauth/callback');
    expect(loc.searchParams.get('x')).toBe('1');
    expect(loc.searchParams.get('state')).toBe('st&ate');
    const code = loc.searchParams.get('code') ?? '';
    const first = await exchange({ code, client_id: 'cid', client_secret: 'secret' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ token_type: 'Bearer' });
    const t = tokenResponseSchema.parse(first.body);
    expect(t.token).toBe(t.access_token);
    const me = meSchema.parse((await call(sim, '/me', { token: t.access_token ?? '' })).json);
    expect(me.app.id_code).toBe('first');
    const again = await exchange({ code, client_id: 'cid', client_secret: 'secret' });
    expect(again.status).toBe(401);
    expect(errorListSchema.safeParse(again.body).success).toBe(true);
  });

  it('accepts JSON bodies and a workspace chooser', async () => {
    const code = (await authorize('&workspace=Second%20Co')).searchParams.get('code') ?? '';
    const res = await exchange({ code, client_id: 'cid', client_secret: 'secret' }, true);
    const token = tokenResponseSchema.parse(res.body).token ?? '';
    expect(meSchema.parse((await call(sim, '/me', { token })).json).app).toMatchObject({ id_code: 'second', region: 'Australia' });
  });

  it('rejects unknown clients, bad secrets and expired codes', async () => {
    const bad = await call(sim, `/oauth?client_id=other&redirect_uri=${encodeURIComponent(redirect)}`, { token: null });
    expect(bad.status).toBe(400);
    expect(errorListSchema.safeParse(bad.json).success).toBe(true);
    expect((await call(sim, '/oauth?client_id=cid&workspace=nope&redirect_uri=https%3A%2F%2Fx.test', { token: null })).status).toBe(400);

    const code = (await authorize()).searchParams.get('code') ?? '';
    expect((await exchange({ code, client_id: 'cid', client_secret: 'wrong' })).status).toBe(401);
    // A wrong secret does not burn the code.
    expect((await exchange({ code, client_id: 'cid', client_secret: 'secret' })).status).toBe(200);

    const late = (await authorize()).searchParams.get('code') ?? '';
    clock += 5 * 60_000 + 1;
    expect((await exchange({ code: late, client_id: 'cid', client_secret: 'secret' })).status).toBe(401);
    expect((await exchange({ code: 'made-up', client_id: 'cid', client_secret: 'secret' })).status).toBe(401);
  });

  it('re-authorization after a revocation yields a new working token', async () => {
    sim.revokeToken('first');
    expect((await call(sim, '/me', { token: 'tok-first' })).status).toBe(401);
    const code = (await authorize()).searchParams.get('code') ?? '';
    const token = tokenResponseSchema.parse((await exchange({ code, client_id: 'cid', client_secret: 'secret' })).body).token ?? '';
    expect(token).not.toBe('tok-first');
    expect((await call(sim, '/me', { token })).status).toBe(200);
  });
});
