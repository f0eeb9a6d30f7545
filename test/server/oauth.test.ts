import { connect } from 'node:net';
import { request } from 'undici';
import { signProductSession } from '../../src/oauth/productSession';
import { countPendingStates } from '../../src/repositories/oauthStates';
import { startStack, waitFor, type Stack } from '../helpers/stack';
import { startTestServer, type TestServer } from './testServer';

// Issue 8, finding 6: the OAuth endpoints, tried as an attacker and as a confused browser would.
const WS = 'oauth-ws';
const SECRET = 's'.repeat(40);

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await request(url, { headers });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

const cookieOf = (a: Answer) => String(a.headers['set-cookie']).split(';')[0] ?? '';

describe('OAuth endpoints', () => {
  let stack: Stack;
  let server: TestServer;

  beforeAll(async () => {
    stack = await startStack({ startWorker: false, simulator: { workspaces: [{ id: WS, name: 'OAuth Co', region: 'us', conversations: 0 }] } });
    server = await startTestServer(stack, { oauth: { productSessionSecret: SECRET } });
  });
  afterAll(async () => {
    await server?.close();
    await stack?.stop();
  });

  /** /oauth/start with a fresh link, then Intercom's (the simulator's) authorize page: the callback URL and the browser's cookie. */
  async function flow(): Promise<{ callbackUrl: URL; cookie: string; state: string }> {
    const start = await get(`${server.url}/oauth/start?workspace=${WS}&link=${await server.link()}`);
    expect(start.status).toBe(302);
    const state = new URL(String(start.headers.location)).searchParams.get('state') ?? '';
    const authorize = await get(String(start.headers.location));
    expect(authorize.status).toBe(302);
    return { callbackUrl: new URL(String(authorize.headers.location)), cookie: cookieOf(start), state };
  }

  it('refuses /oauth/start without a product session or a connect link, and writes nothing', async () => {
    const before = await countPendingStates(stack.t.db);
    const bare = await get(`${server.url}/oauth/start?workspace=${WS}`);
    expect(bare.status).toBe(401);
    expect(bare.body).toContain('connect link');
    const forged = await get(`${server.url}/oauth/start`, { cookie: `intercom_sync_session=${signProductSession('x'.repeat(40), 'acct-1', Date.now() / 1000 + 60)}` });
    expect(forged.status).toBe(401);
    const expired = await get(`${server.url}/oauth/start`, { cookie: `intercom_sync_session=${signProductSession(SECRET, 'acct-1', Date.now() / 1000 - 1)}` });
    expect(expired.status).toBe(401);
    expect(await countPendingStates(stack.t.db)).toBe(before);

    const signedIn = await get(`${server.url}/oauth/start?workspace=${WS}`, { cookie: `intercom_sync_session=${signProductSession(SECRET, 'acct-1', Date.now() / 1000 + 60)}` });
    expect(signedIn.status).toBe(302);
    const state = new URL(String(signedIn.headers.location)).searchParams.get('state') ?? '';
    const row = await stack.t.db.selectFrom('oauth_states').select('initiated_by').where('state', '=', state).executeTakeFirstOrThrow();
    expect(row.initiated_by).toBe('session:acct-1');
  });

  it('a connect link works once; an expired, unknown or malformed one is refused', async () => {
    const link = await server.link();
    const first = await get(`${server.url}/oauth/start?link=${link}`);
    expect(first.status).toBe(302);
    const second = await get(`${server.url}/oauth/start?link=${link}`);
    expect(second.status).toBe(403);
    expect(second.body).toContain('already used');
    const stale = await server.link(-1);
    expect((await get(`${server.url}/oauth/start?link=${stale}`)).body).toContain('expired');
    expect((await get(`${server.url}/oauth/start?link=${'x'.repeat(43)}`)).status).toBe(403);
    expect((await get(`${server.url}/oauth/start?link=%00`)).status).toBe(403);
  });

  it('a callback without the browser cookie does not burn the state the real browser needs; the cookie is cleared after', async () => {
    const f = await flow();
    const cookieless = await get(f.callbackUrl.toString());
    expect(cookieless.status).toBe(400);
    expect(cookieless.body).toContain('did not start');
    const otherCookie = await get(f.callbackUrl.toString(), { cookie: `intercom_sync_oauth_state=${'y'.repeat(43)}` });
    expect(otherCookie.status).toBe(400);
    const real = await get(f.callbackUrl.toString(), { cookie: f.cookie });
    expect(real.status).toBe(200);
    expect(real.body).toContain(WS);
    expect(String(real.headers['set-cookie'])).toMatch(/^intercom_sync_oauth_state=; .*Max-Age=0/);
  });

  it("Intercom's error=access_denied gets its own message and ends the flow", async () => {
    const f = await flow();
    const denied = new URL(`${server.url}/oauth/callback`);
    denied.searchParams.set('error', 'access_denied');
    denied.searchParams.set('state', f.state);
    const res = await get(denied.toString(), { cookie: f.cookie });
    expect(res.status).toBe(403);
    expect(res.body).toContain('did not grant access');
    expect(res.body).not.toContain('missing code');
    expect(String(res.headers['set-cookie'])).toContain('Max-Age=0');
    // The flow is over: the state cannot be used afterwards.
    const later = await get(f.callbackUrl.toString(), { cookie: f.cookie });
    expect(later.body).toContain('already completed');
  });

  it('error pages are generic with a correlation id; the detail goes to the log', async () => {
    const nul = await get(`${server.url}/oauth/callback?state=%00&code=x`, { cookie: 'intercom_sync_oauth_state=%00' });
    expect(nul.status).toBe(400);
    expect(nul.body).not.toMatch(/invalid byte sequence|UTF8|0x00/);
    const id = String(nul.headers['x-request-id']);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(nul.body).toContain(id);
    expect(server.logs().some((l) => l.reqId === id && String(l.msg).includes('malformed'))).toBe(true);

    // A failure inside (Intercom refuses the code): generic page, reference, detail only in the log.
    const f = await flow();
    f.callbackUrl.searchParams.set('code', 'made-up-code');
    const failed = await get(f.callbackUrl.toString(), { cookie: f.cookie });
    expect(failed.status).toBe(502);
    expect(failed.body).toContain('Something went wrong');
    const ref = String(failed.headers['x-request-id']);
    expect(failed.body).toContain(ref);
    // (The reference is random hex: left out before looking for Intercom's words, such as 401.)
    expect(failed.body.replace(ref, '')).not.toMatch(/eagle|401|token/i);
    const logged = server.logs().find((l) => l.reqId === ref && l.msg === 'oauth connection failed');
    expect(JSON.stringify(logged?.err)).toMatch(/auth\/eagle\/token/);
    // Logged URLs carry no query string (codes, states, links).
    expect(server.logs().some((l) => JSON.stringify(l).includes('made-up-code'))).toBe(false);
  });

  it('Cache-Control: no-store and nosniff on every response', async () => {
    const link = await server.link();
    const answers = await Promise.all([
      get(`${server.url}/healthz`),
      get(`${server.url}/readyz`),
      get(`${server.url}/nope`),
      get(`${server.url}/oauth/start`),
      get(`${server.url}/oauth/start?link=${link}`),
      get(`${server.url}/oauth/callback?state=${'z'.repeat(43)}`),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 404, 401, 302, 400]);
    for (const a of answers) {
      expect(a.headers['cache-control']).toBe('no-store');
      expect(a.headers['x-content-type-options']).toBe('nosniff');
    }
    // What Node answers itself, before any route: a request it cannot parse.
    const raw = await new Promise<string>((resolve, reject) => {
      const { port } = new URL(server.url);
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('GARBAGE\r\n\r\n'));
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    expect(raw.toLowerCase()).toContain('cache-control: no-store');
    expect(raw.toLowerCase()).toContain('x-content-type-options: nosniff');
  });

  it('caps outstanding OAuth states (503 with a clear message) without using up the link', async () => {
    const capped = await startTestServer(stack, { oauth: { maxPendingStates: (await countPendingStates(stack.t.db)) + 2 } });
    try {
      expect((await get(`${capped.url}/oauth/start?link=${await capped.link()}`)).status).toBe(302);
      expect((await get(`${capped.url}/oauth/start?link=${await capped.link()}`)).status).toBe(302);
      const link = await capped.link();
      const refused = await get(`${capped.url}/oauth/start?link=${link}`);
      expect(refused.status).toBe(503);
      expect(refused.body).toContain('Too many Intercom connections are in progress');
      expect(refused.headers['retry-after']).toBe('60');
      const row = await stack.t.db.selectFrom('connect_links').select('used_at').where('used_at', 'is', null).execute();
      expect(row.length).toBeGreaterThanOrEqual(1); // the refused link was not consumed
    } finally {
      await capped.close();
    }
  });

  it('rate limits each client on /oauth/*', async () => {
    const limited = await startTestServer(stack, { oauth: { rateLimitPerMinute: 3 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await get(`${limited.url}/oauth/start`)).status);
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      const last = await get(`${limited.url}/oauth/start`);
      expect(last.body).toContain('Too many requests');
      expect(last.headers['cache-control']).toBe('no-store');
      // Health checks are not counted.
      expect((await get(`${limited.url}/healthz`)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('the cookie-bound flow still connects end to end', async () => {
    const f = await flow();
    const res = await get(f.callbackUrl.toString(), { cookie: f.cookie });
    expect(res.status).toBe(200);
    await waitFor('the workspace row', async () => stack.t.db.selectFrom('workspaces').select('id').where('id', '=', WS).executeTakeFirst());
  });
});
