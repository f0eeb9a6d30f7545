import { INTERCOM_VERSION, isIntercomError } from '../../src/intercom/client';
import { conversationSchema } from '../../src/intercom/schemas';
import { errorList, json, useFakeIntercom } from './fakeServer';

// GET /conversations/deleted (2.16+) and the tolerance of the attribution fields.

describe('IntercomClient.listDeletedConversations', () => {
  const fake = useFakeIntercom();
  const client = () => fake.client({ maxRetries: 1, backoff: { baseDelayMs: 5, maxDelayMs: 10 } });

  it('asks with Intercom-Version 2.16 for this call only, page-number pagination, at most 60 per page', async () => {
    fake.server.handle((_req, res) =>
      json(res, 200, {
        type: 'conversations.list',
        conversations: [{ type: 'conversation', id: 512, deleted_at: 1_734_537_460, metrics_retained: false, extra: 'ignored' }],
        pages: { type: 'pages', next: null, page: 2, per_page: 60, total_pages: 2 },
        total_count: 61,
        new_field: { anything: true },
      }),
    );
    const c = client();
    const page = await c.listDeletedConversations({ page: 2, perPage: 500 });
    expect(page.conversations).toEqual([{ type: 'conversation', id: '512', deleted_at: 1_734_537_460, metrics_retained: false }]);
    const req = fake.server.requests.at(-1)!;
    expect(req.headers['intercom-version']).toBe('2.16');
    expect(new URL(req.url, 'http://x').searchParams.toString()).toBe('page=2&per_page=60&order=desc');
    // Other calls keep the pinned version.
    fake.server.handle((_req, res) => json(res, 200, { type: 'tag.list', data: [] }));
    await c.listTags().catch(() => undefined);
    expect(fake.server.requests.at(-1)!.headers['intercom-version']).toBe(INTERCOM_VERSION);
  });

  it('tolerates missing pages and null counts; an item without deleted_at breaks the contract by name', async () => {
    fake.server.handle((_req, res) => json(res, 200, { conversations: [], pages: null, total_count: null }));
    expect((await client().listDeletedConversations()).conversations).toEqual([]);
    fake.server.handle((_req, res) => json(res, 200, { conversations: [{ id: '1' }] }));
    const err = await client().listDeletedConversations().catch((e: unknown) => e);
    expect(isIntercomError(err) && err.code).toBe('contract_violation');
    expect((err as Error).message).toContain('conversations[0].deleted_at');
  });

  it('a workspace without the endpoint answers 400 intercom_version_invalid: a bad_request error, not retried', async () => {
    fake.server.handle((_req, res) => json(res, 400, errorList('intercom_version_invalid', 'Requested resource is not available in current API version.')));
    const before = fake.server.requests.length;
    const err = await client().listDeletedConversations().catch((e: unknown) => e);
    expect(isIntercomError(err) && err.code).toBe('bad_request');
    expect(fake.server.requests.length - before).toBe(1);
  });
});

describe('attribution fields in the conversation schema', () => {
  const base = { id: '1', created_at: 1, updated_at: 2, state: 'open', conversation_parts: { conversation_parts: [], total_count: 0 } };

  it('accepts integer or string ids, nulls and absent fields; keeps no tag names', () => {
    const c = conversationSchema.parse({ ...base, admin_assignee_id: 4000001, team_assignee_id: null, priority: 'priority', tags: { type: 'tag.list', tags: [{ type: 'tag', id: 8, name: 'VIP', applied_by: { id: 1 } }, { id: null }] } });
    expect(c).toMatchObject({ admin_assignee_id: '4000001', team_assignee_id: null, priority: 'priority', tags: { tags: [{ id: '8' }, { id: null }] } });
    expect(JSON.stringify(c)).not.toContain('VIP');
    const bare = conversationSchema.parse(base);
    expect([bare.admin_assignee_id, bare.team_assignee_id, bare.priority, bare.tags]).toEqual([undefined, undefined, undefined, undefined]);
    expect(conversationSchema.parse({ ...base, tags: null }).tags).toBeNull();
  });
});
