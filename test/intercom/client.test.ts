import { caught } from '../../testkit/caught';
import { exchangeOAuthCode, INTERCOM_VERSION, isAuthError, type IntercomClientOptions } from '../../src/intercom/client';
import { InMemoryRateLimiter } from '../../src/ratelimit/memory';
import { errorList, json, useFakeIntercom } from './fakeServer';

const TOKEN = 'tok-PLANTED-SECRET-7f3a9c2e1d';

const me = { type: 'admin', id: '991', app: { type: 'app', id_code: 'abc123', name: 'Acme', region: 'Europe', timezone: 'UTC' } };

function conversation(id: string, parts = 5): unknown {
  return {
    type: 'conversation',
    id,
    created_at: 1_700_000_000,
    updated_at: 1_700_000_100,
    state: 'open',
    conversation_parts: {
      type: 'conversation_part.list',
      total_count: parts,
      conversation_parts: Array.from({ length: parts }, (_, i) => ({
        type: 'conversation_part',
        id: `p${i}`,
        part_type: 'comment',
        created_at: 1_700_000_000 + i,
        author: { type: 'admin', id: '1' },
      })),
    },
  };
}

function expectNoToken(err: unknown): void {
  const e = err as Error;
  for (const text of [String(e), e.stack ?? '', JSON.stringify(e), e.message, JSON.stringify(Object.entries(e))]) {
    expect(text).not.toContain(TOKEN);
  }
}

describe('IntercomClient against a local HTTP server', () => {
  const fake = useFakeIntercom({ connectionsPerOrigin: 8 });
  let limiter: InMemoryRateLimiter;
  beforeEach(() => {
    limiter = new InMemoryRateLimiter({ initialLimit: 1000 });
  });

  const client = (over: Partial<IntercomClientOptions> = {}) => fake.client({ token: TOKEN, limiter, ...over });

  it('sends the bearer token, the pinned version and Accept; parses /me', async () => {
    fake.server.handle((_req, res) => json(res, 200, me, { 'x-ratelimit-limit': 100, 'x-ratelimit-remaining': 99 }));
    const c = client();
    const r = await c.me();
    expect(r.app.id_code).toBe('abc123');
    expect(fake.server.requests).toHaveLength(1);
    const h = fake.server.requests[0]!.headers;
    expect(h.authorization).toBe(`Bearer ${TOKEN}`);
    expect(h['intercom-version']).toBe(INTERCOM_VERSION);
    expect(INTERCOM_VERSION).toBe('2.14');
    expect(h.accept).toBe('application/json');
    expect(c.requestsSent).toBe(1);
    expect(limiter.snapshot('ws1')).toMatchObject({ limit: 100, learned: true });
  });

  it('429: waits until X-RateLimit-Reset, marks the window exhausted, then retries', async () => {
    const resetSec = Math.floor(Date.now() / 1000) + 1;
    fake.server.handle((_req, res, n) => {
      if (n === 1) json(res, 429, errorList('rate_limit_exceeded', 'Exceeded rate limit of 100 in 10_seconds'), { 'x-ratelimit-limit': 100, 'x-ratelimit-remaining': 0, 'x-ratelimit-reset': resetSec });
      else json(res, 200, me);
    });
    const c = client();
    await c.me();
    expect(fake.server.requests).toHaveLength(2);
    expect(Date.now()).toBeGreaterThanOrEqual(resetSec * 1000);
  });

  it('429 that persists: throws rate_limited, retryable, after maxRetries retries', async () => {
    fake.server.handle((_req, res) => json(res, 429, errorList('rate_limit_exceeded', 'slow down')));
    // Without a reset header a 429 exhausts the limiter's current window: short windows keep the test fast.
    limiter = new InMemoryRateLimiter({ initialLimit: 1000, windowMs: 100 });
    const err = await caught(client({ maxRetries: 2 }).me());
    expect(err.code).toBe('rate_limited');
    expect(err.retryable).toBe(true);
    expect(err.status).toBe(429);
    expect(fake.server.requests).toHaveLength(3);
  });

  it.each([500, 502, 503])('%i is a retryable server_error, retried until it succeeds', async (status) => {
    fake.server.handle((_req, res, n) => (n <= 2 ? json(res, status, errorList('server_error', 'oops')) : json(res, 200, me)));
    await client({ maxRetries: 4 }).me();
    expect(fake.server.requests).toHaveLength(3);
  });

  it('a persistent 503 throws server_error with retryable still true after maxRetries retries', async () => {
    fake.server.handle((_req, res) => json(res, 503, 'Service Unavailable'));
    const err = await caught(client({ maxRetries: 3 }).me());
    expect(err).toMatchObject({ code: 'server_error', status: 503, retryable: true, endpoint: 'GET /me' });
    expect(fake.server.requests).toHaveLength(4);
  });

  it('a destroyed socket is a retryable network_error', async () => {
    fake.server.handle((_req, res, n) => (n <= 2 ? res.socket?.destroy() : json(res, 200, me)));
    await client({ maxRetries: 3 }).me();
    expect(fake.server.requests).toHaveLength(3);

    fake.server.handle((_req, res) => res.socket?.destroy());
    const err = await caught(client({ maxRetries: 1 }).me());
    expect(err.code).toBe('network_error');
    expect(err.retryable).toBe(true);
    expect(fake.server.requests).toHaveLength(2);
    expectNoToken(err);
  });

  it('a refused connection is a retryable network_error', async () => {
    const err = await caught(client({ baseUrl: 'http://127.0.0.1:1', maxRetries: 1 }).me());
    expect(err.code).toBe('network_error');
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it('a response that never comes is a retryable timeout', async () => {
    fake.server.handle(() => undefined); // never answers
    const err = await caught(client({ timeoutMs: 200, maxRetries: 1 }).me());
    expect(err.code).toBe('timeout');
    expect(err.retryable).toBe(true);
    expect(fake.server.requests).toHaveLength(2);
  });

  it('401 is a typed auth error, never retried, and the echoed token is redacted', async () => {
    fake.server.handle((req, res) => json(res, 401, errorList('unauthorized', `Access Token Invalid: ${req.headers.authorization}`)));
    const err = await caught(client().me());
    expect(err).toMatchObject({ code: 'unauthorized', status: 401, retryable: false, requestId: 'req-123' });
    expect(isAuthError(err)).toBe(true);
    expect(fake.server.requests).toHaveLength(1);
    expect(err.message).toContain('GET /me');
    expectNoToken(err);
  });

  it('403 is forbidden, never retried', async () => {
    fake.server.handle((_req, res) => json(res, 403, errorList('api_plan_restricted', 'Active subscription needed.')));
    const err = await caught(client().getConversation('1'));
    expect(err).toMatchObject({ code: 'forbidden', status: 403, retryable: false, endpoint: 'GET /conversations/{id}' });
    expect(isAuthError(err)).toBe(true);
    expect(fake.server.requests).toHaveLength(1);
  });

  it('404 on a conversation is null; on another endpoint a not_found error', async () => {
    fake.server.handle((_req, res) => json(res, 404, errorList('not_found', 'Resource Not Found')));
    await expect(client().getConversation('42')).resolves.toBeNull();
    expect(fake.server.requests[0]!.url).toBe('/conversations/42?display_as=plaintext');
    const err = await caught(client().listAdmins());
    expect(err).toMatchObject({ code: 'not_found', retryable: false });
    expect(fake.server.requests).toHaveLength(2);
  });

  it('400 is bad_request, not retried', async () => {
    fake.server.handle((_req, res) => json(res, 400, errorList('parameter_invalid', 'per_page is too big')));
    const err = await caught(client().search({ query: { field: 'id', operator: '=', value: '1' } }));
    expect(err).toMatchObject({ code: 'bad_request', status: 400, retryable: false, endpoint: 'POST /conversations/search' });
    expect(err.message).toContain('parameter_invalid');
    expect(fake.server.requests).toHaveLength(1);
  });

  it('malformed JSON is a contract_violation, not retried', async () => {
    fake.server.handle((_req, res) => json(res, 200, '{"type":"admin", "id": '));
    const err = await caught(client().me());
    expect(err).toMatchObject({ code: 'contract_violation', retryable: false, endpoint: 'GET /me' });
    expect(err.message).toMatch(/not valid JSON/);
    expect(fake.server.requests).toHaveLength(1);
  });

  it('a truncated token response is a contract_violation that quotes none of the body', async () => {
    fake.server.handle((_req, res) => json(res, 200, '{"token_type":"Bearer","token":"dG9rOjEyMzQ1Njc4OTA'));
    const err = await caught(exchangeOAuthCode({ http: fake.http, baseUrl: fake.server.baseUrl, clientId: 'cid', clientSecret: 'shh', code: 'c' }));
    expect(err).toMatchObject({ code: 'contract_violation', endpoint: 'POST /auth/eagle/token' });
    for (const text of [String(err), err.stack ?? '', JSON.stringify(err)]) expect(text).not.toContain('dG9r');
  });

  it('a body that breaks the schema is a contract_violation naming the field', async () => {
    const bad = conversation('7') as { conversation_parts: { conversation_parts: Array<Record<string, unknown>> } };
    bad.conversation_parts.conversation_parts[3]!.created_at = 'yesterday';
    fake.server.handle((_req, res) => json(res, 200, bad));
    const err = await caught(client().getConversation('7'));
    expect(err.code).toBe('contract_violation');
    expect(err.retryable).toBe(false);
    expect(err.field).toBe('conversation_parts.conversation_parts[3].created_at');
    expect(err.message).toMatch(/^GET \/conversations\/\{id\}: response breaks the contract at conversation_parts\.conversation_parts\[3\]\.created_at: expected number/);
    expect(fake.server.requests).toHaveLength(1);
    expectNoToken(err);
  });

  it('parses a conversation with its parts', async () => {
    fake.server.handle((_req, res) => json(res, 200, conversation('77', 3)));
    const conv = await client().getConversation('77');
    expect(conv?.conversation_parts.conversation_parts.map((p) => p.id)).toEqual(['p0', 'p1', 'p2']);
  });

  it('lists admins, teams and tags', async () => {
    fake.server.handle((req, res) => {
      if (req.url === '/admins') json(res, 200, { type: 'admin.list', admins: [{ type: 'admin', id: 1, name: 'A', email: 'a@x', away_mode_enabled: false, team_ids: [5] }] });
      else if (req.url === '/teams') json(res, 200, { type: 'team.list', teams: [{ type: 'team', id: '5', name: 'T', admin_ids: [1] }] });
      else json(res, 200, { type: 'list', data: [{ type: 'tag', id: '9', name: 'vip' }] });
    });
    const c = client();
    expect(await c.listAdmins()).toEqual([{ type: 'admin', id: '1', name: 'A', email: 'a@x', away_mode_enabled: false, team_ids: ['5'] }]);
    expect((await c.listTeams())[0]?.admin_ids).toEqual(['1']);
    expect((await c.listTags())[0]?.name).toBe('vip');
    expect(c.requestsSent).toBe(3);
  });

  it('searchPages walks every page and reports the cursor of each', async () => {
    const ids = Array.from({ length: 7 }, (_, i) => String(i + 1));
    fake.server.handle((req, res) => {
      const body = JSON.parse(req.body) as { pagination: { per_page: number; starting_after?: string } };
      const start = body.pagination.starting_after ? Number(Buffer.from(body.pagination.starting_after, 'base64').toString()) : 0;
      const per = body.pagination.per_page;
      const slice = ids.slice(start, start + per);
      const nextStart = start + per;
      json(res, 200, {
        type: 'conversation.list',
        total_count: ids.length,
        conversations: slice.map((id) => ({ type: 'conversation', id, created_at: 1, updated_at: 2, state: 'closed' })),
        pages: { type: 'pages', page: start / per + 1, per_page: per, total_pages: 3, ...(nextStart < ids.length ? { next: { per_page: per, starting_after: Buffer.from(String(nextStart)).toString('base64') } } : {}) },
      });
    });
    const c = client();
    const pages = [];
    for await (const p of c.searchPages({ field: 'updated_at', operator: '>', value: 0 }, { perPage: 3 })) pages.push(p);
    expect(pages.map((p) => p.page.conversations.map((x) => x.id))).toEqual([['1', '2', '3'], ['4', '5', '6'], ['7']]);
    expect(pages.map((p) => p.cursor)).toEqual([null, 'Mw==', 'Ng==']);
    expect(pages.map((p) => p.next)).toEqual(['Mw==', 'Ng==', null]);
    expect(JSON.parse(fake.server.requests[0]!.body)).toEqual({ query: { field: 'updated_at', operator: '>', value: 0 }, pagination: { per_page: 3 } });
    expect(fake.server.requests[0]!.headers['content-type']).toBe('application/json');

    // A last page whose `next` carries a null or empty cursor ends the walk too.
    for (const last of [null, '']) {
      fake.server.handle((_req, res) =>
        json(res, 200, { type: 'conversation.list', total_count: 1, conversations: [{ type: 'conversation', id: '1', created_at: 1, updated_at: 2, state: 'open' }], pages: { type: 'pages', page: 1, per_page: 3, total_pages: 1, next: { per_page: 3, starting_after: last } } }),
      );
      const walked = [];
      for await (const p of c.searchPages({ field: 'updated_at', operator: '>', value: 0 }, { perPage: 3 })) walked.push(p.next);
      expect(walked).toEqual([null]);
    }
    fake.server.handle((req, res) => {
      const body = JSON.parse(req.body) as { pagination: { per_page: number; starting_after?: string } };
      const start = Number(Buffer.from(body.pagination.starting_after ?? '', 'base64').toString() || 0);
      json(res, 200, {
        type: 'conversation.list',
        total_count: ids.length,
        conversations: ids.slice(start, start + 3).map((id) => ({ type: 'conversation', id, created_at: 1, updated_at: 2, state: 'closed' })),
        pages: { type: 'pages', page: 1, per_page: 3, total_pages: 3, ...(start + 3 < ids.length ? { next: { per_page: 3, starting_after: Buffer.from(String(start + 3)).toString('base64') } } : {}) },
      });
    });

    // Resuming from a cursor re-requests that page and continues.
    const resumed = [];
    for await (const p of c.searchPages({ field: 'updated_at', operator: '>', value: 0 }, { perPage: 3, startingAfter: 'Mw==' })) resumed.push(p.page.conversations.length);
    expect(resumed).toEqual([3, 1]);
  });

  it('an abort signal interrupts a rate-limit wait with its reason', async () => {
    fake.server.handle((_req, res) => json(res, 429, errorList('rate_limit_exceeded', 'x'), { 'x-ratelimit-reset': Math.floor(Date.now() / 1000) + 30 }));
    const ac = new AbortController();
    const p = client({ signal: ac.signal }).me();
    const reason = new Error('activity cancelled');
    const deadline = Date.now() + 5000;
    while (fake.server.requests.length === 0 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    ac.abort(reason);
    await expect(p).rejects.toBe(reason);
  });

  it('exchangeOAuthCode posts a form and returns the access token; failures never show the secret', async () => {
    fake.server.handle((req, res) => {
      const form = new URLSearchParams(req.body);
      if (form.get('code') === 'good-code' && form.get('client_secret') === 'shh-very-secret') json(res, 200, { token_type: 'Bearer', token: 'at-1', access_token: 'at-1' });
      else json(res, 400, errorList('bad_request', `invalid code ${form.get('code')} for secret ${form.get('client_secret')}`));
    });
    await expect(exchangeOAuthCode({ http: fake.http, baseUrl: fake.server.baseUrl, clientId: 'cid', clientSecret: 'shh-very-secret', code: 'good-code' })).resolves.toBe('at-1');
    expect(fake.server.requests[0]!.url).toBe('/auth/eagle/token');
    expect(fake.server.requests[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const err = await caught(exchangeOAuthCode({ http: fake.http, baseUrl: fake.server.baseUrl, clientId: 'cid', clientSecret: 'shh-very-secret', code: 'bad-code-123' }));
    expect(err.code).toBe('bad_request');
    for (const text of [String(err), err.stack ?? '', JSON.stringify(err)]) {
      expect(text).not.toContain('shh-very-secret');
      expect(text).not.toContain('bad-code-123');
    }
  });
});
