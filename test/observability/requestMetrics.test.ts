import { createMetrics } from '../../src/observability/metrics';
import { InMemoryRateLimiter } from '../../src/ratelimit/memory';
import { errorList, json, useFakeIntercom } from '../intercom/fakeServer';

// The client's one hook: every exchange counted under its endpoint template, 429s apart, and an
// exchange without a response under its error code; a conversation id never becomes a label.
describe('request metrics of the Intercom client', () => {
  const fake = useFakeIntercom();

  it('counts by endpoint template and status, and 429s', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const client = fake.client({
      workspaceId: 'm-ws',
      token: 'tok-m',
      limiter: new InMemoryRateLimiter(),
      metrics,
      maxRetries: undefined, // the client's own default, as in production
      backoff: { baseDelayMs: 1, maxDelayMs: 5 },
    });
    fake.server.handle((req, res, n) => {
      if (req.url.startsWith('/conversations/c-1')) return n === 1 ? json(res, 429, errorList('rate_limit_exceeded', 'slow down'), { 'retry-after': 0 }) : json(res, 404, errorList('not_found', 'gone'));
      json(res, 200, { type: 'admin.list', admins: [] });
    });
    expect(await client.getConversation('c-1')).toBeNull();
    await client.listAdmins();
    const page = await metrics.registry.metrics();
    expect(page).toContain('intercom_sync_intercom_requests_total{endpoint="GET /conversations/{id}",status="429"} 1');
    expect(page).toContain('intercom_sync_intercom_requests_total{endpoint="GET /conversations/{id}",status="404"} 1');
    expect(page).toContain('intercom_sync_intercom_requests_total{endpoint="GET /admins",status="200"} 1');
    expect(page).toContain('intercom_sync_intercom_rate_limited_total{endpoint="GET /conversations/{id}"} 1');
    expect(page).not.toContain('c-1');
    expect(page).not.toContain('tok-m');
  });
});
