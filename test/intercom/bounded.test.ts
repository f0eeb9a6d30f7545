import { caught } from '../../testkit/caught';
import { createIntercomHttp, exchangeOAuthCode, RESPONSE_CAPS, type IntercomClientOptions } from '../../src/intercom/client';
import { Slots } from '../../src/intercom/slots';
import { jsonReply, trickle } from '../../testkit/simulator/http';
import { hugeBody, json, useFakeIntercom } from './fakeServer';

const TOKEN = 'tok-bounded-7f3a9c2e1d';
const MB = 1024 * 1024;

function conversation(id: string): unknown {
  return { type: 'conversation', id, created_at: 1_700_000_000, updated_at: 1_700_000_100, state: 'open', conversation_parts: { type: 'conversation_part.list', total_count: 0, conversation_parts: [] } };
}

describe('bounded responses', () => {
  const fake = useFakeIntercom({ connectionsPerOrigin: 16 });

  const client = (over: Partial<IntercomClientOptions> = {}) => fake.client({ token: TOKEN, ...over });

  it.each([
    ['declared by Content-Length', true],
    ['chunked, no length', false],
  ])('a 200 MB detail (%s) is refused as response_too_large, not retried, and not read whole', async (_what, declareLength) => {
    let accepted: Promise<number> = Promise.resolve(0);
    fake.server.handle((_req, res) => {
      accepted = hugeBody(res, 200 * MB, { declareLength });
    });
    const err = await caught(client().getConversation('c1'));
    expect(err.code).toBe('response_too_large');
    expect(err.retryable).toBe(false);
    expect(err.endpoint).toBe('GET /conversations/{id}');
    expect(err.message).toContain(`the cap is ${RESPONSE_CAPS.detail} bytes`);
    expect(fake.server.requests).toHaveLength(1);
    // The client hung up after at most the cap plus what the socket buffers held, far from 200 MB.
    expect(await accepted).toBeLessThan(RESPONSE_CAPS.detail + 16 * MB);
  });

  it('a 200 MB search page and a 200 MB error body are bounded too', async () => {
    fake.server.handle((_req, res) => void hugeBody(res, 200 * MB, { declareLength: false }));
    const err = await caught(client().search({ query: { field: 'id', operator: '=', value: 'x' } }));
    expect(err.code).toBe('response_too_large');
    expect(err.endpoint).toBe('POST /conversations/search');

    // An error body over its small cap is dropped: the status alone classifies the failure.
    fake.server.handle((_req, res) => void hugeBody(res, 200 * MB, { declareLength: true, status: 503 }));
    const e503 = await caught(client({ maxRetries: 0 }).listAdmins());
    expect(e503.code).toBe('server_error');
    expect(e503.retryable).toBe(true);
  });

  it('a body just under the cap is accepted', async () => {
    const big = conversation('c2') as Record<string, unknown>;
    big['title'] = 'x'.repeat(RESPONSE_CAPS.detail - 1000);
    fake.server.handle((_req, res) => json(res, 200, big));
    const c = await client().getConversation('c2');
    expect(c?.id).toBe('c2');
  });

  it('a body trickling one byte a second fails at the deadline with a 3-s timeout, as a transient deadline_exceeded', async () => {
    fake.server.handle((_req, res) => trickle(res, jsonReply(conversation('c3')), 1000));
    const err = await caught(client({ timeoutMs: 3000, maxRetries: 0 }).getConversation('c3'));
    expect(err.code).toBe('deadline_exceeded');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('6000 ms deadline');
  }, 30_000);

  it('an explicit deadline also bounds the OAuth token exchange', async () => {
    fake.server.handle((_req, res) => trickle(res, jsonReply({ token_type: 'Bearer', access_token: 'a'.repeat(200) }), 1000));
    const err = await caught(exchangeOAuthCode({ http: fake.http, baseUrl: fake.server.baseUrl, clientId: 'id', clientSecret: 'secret-xyz', code: 'code-abc', timeoutMs: 1500 }));
    expect(err.code).toBe('deadline_exceeded');
  }, 30_000);

  it('detail requests in flight never exceed the process ceiling (memory budget / detail cap), across clients', async () => {
    const small = createIntercomHttp({ detailMemoryBytes: 3 * RESPONSE_CAPS.detail });
    expect(small.detailSlots.size).toBe(3);
    let inFlight = 0;
    let most = 0;
    fake.server.handle((req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight--;
        json(res, 200, conversation(req.url.split('/')[2]!.split('?')[0]!));
      }, 30);
    });
    try {
      const a = client({ http: small });
      const b = client({ http: small, workspaceId: 'ws2' });
      const got = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).getConversation(`c${i}`)));
      expect(got.map((c) => c?.id)).toEqual(Array.from({ length: 12 }, (_, i) => `c${i}`));
      expect(most).toBe(3);
      expect(small.detailSlots.inUse).toBe(0);
    } finally {
      await small.close();
    }
  });
});

describe('detail slots', () => {
  it('serve waiters in order, and a waiter whose signal aborts leaves with the reason (a pause or cancellation is not held up)', async () => {
    const slots = new Slots(1);
    const first = await slots.acquire();
    const ctl = new AbortController();
    const aborted = slots.acquire(ctl.signal);
    const order: string[] = [];
    const second = slots.acquire().then((release) => {
      order.push('second');
      return release;
    });
    ctl.abort(new Error('paused'));
    await expect(aborted).rejects.toThrow('paused');
    expect(slots.inUse).toBe(1);
    first();
    first(); // a second release of the same grant changes nothing
    (await second)();
    expect(order).toEqual(['second']);
    expect(slots.inUse).toBe(0);
    expect(() => new Slots(0)).toThrow(/positive integer/);
  });
});
