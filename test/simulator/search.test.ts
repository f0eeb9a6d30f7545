import { errorListSchema, searchResponseSchema } from '../../src/intercom/schemas';
import type { SimConversation, Simulator } from '../../testkit/simulator';
import { startSimulator } from '../../testkit/simulator';
import { errorCode, FIXED_NOW, search } from './helpers';

let sim: Simulator;
let convs: SimConversation[];

beforeAll(async () => {
  sim = await startSimulator({ seed: 3, now: () => FIXED_NOW, ratePerMinute: 100_000, workspaces: [{ id: 'sim-ws-1', name: 'S', region: 'us', conversations: 300 }] });
  convs = sim.workspace('sim-ws-1').conversations();
});
afterAll(() => sim.stop());

/** Newest first, as the API orders results. */
function ordered(list: SimConversation[]): string[] {
  return [...list].sort((a, b) => b.created_at - a.created_at || Number(b.id) - Number(a.id)).map((c) => c.id);
}

async function searchAll(query: unknown, perPage: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let page = 0;
  do {
    const res = await search(sim, query, { per_page: perPage, starting_after: cursor });
    expect(res.status).toBe(200);
    const body = searchResponseSchema.parse(res.json);
    page += 1;
    expect(body.pages?.page).toBe(page);
    ids.push(...body.conversations.map((c) => c.id));
    cursor = body.pages?.next?.starting_after || undefined;
  } while (cursor !== undefined);
  return ids;
}

describe('POST /conversations/search', () => {
  it('pages through every conversation exactly once, newest first', async () => {
    const ids = await searchAll({ field: 'created_at', operator: '>', value: 0 }, 37);
    expect(ids).toEqual(ordered(convs));
    const first = await search(sim, { field: 'created_at', operator: '>', value: 0 }, { per_page: 37 });
    const body = searchResponseSchema.parse(first.json);
    expect(body.total_count).toBe(300);
    expect(body.pages?.total_pages).toBe(Math.ceil(300 / 37));
    expect(body.pages?.next?.per_page).toBe(37);
  });

  it('treats > and < as inclusive and = as exact', async () => {
    const pivot = convs[150];
    if (pivot === undefined) throw new Error('no pivot');
    const t = pivot.created_at;
    expect(await searchAll({ field: 'created_at', operator: '>', value: t }, 150)).toEqual(ordered(convs.filter((c) => c.created_at >= t)));
    expect(await searchAll({ field: 'created_at', operator: '<', value: t }, 150)).toEqual(ordered(convs.filter((c) => c.created_at <= t)));
    expect(await searchAll({ field: 'created_at', operator: '=', value: t }, 150)).toEqual(ordered(convs.filter((c) => c.created_at === t)));
    expect(await searchAll({ field: 'created_at', operator: '!=', value: t }, 150)).toEqual(ordered(convs.filter((c) => c.created_at !== t)));
    const u = pivot.updated_at;
    expect(await searchAll({ field: 'updated_at', operator: '>', value: String(u) }, 150)).toEqual(ordered(convs.filter((c) => c.updated_at >= u)));
  });

  it('evaluates nested AND/OR windows on updated_at and id filters', async () => {
    const sortedUpdated = convs.map((c) => c.updated_at).sort((a, b) => a - b);
    const lo = sortedUpdated[100] ?? 0;
    const hi = sortedUpdated[200] ?? 0;
    const query = {
      operator: 'AND',
      value: [
        { operator: 'OR', value: [{ field: 'updated_at', operator: '>', value: lo }, { field: 'updated_at', operator: '=', value: lo }] },
        { field: 'updated_at', operator: '<', value: hi },
      ],
    };
    expect(await searchAll(query, 50)).toEqual(ordered(convs.filter((c) => c.updated_at >= lo && c.updated_at <= hi)));
    const id = convs[10]?.id ?? '';
    expect(await searchAll({ field: 'id', operator: '=', value: id }, 20)).toEqual([id]);
    expect(await searchAll({ field: 'id', operator: '>', value: id }, 150)).toEqual(ordered(convs.filter((c) => Number(c.id) >= Number(id))));
  });

  it('returns conversations without parts but with the fields the sync reads', async () => {
    const res = await search(sim, { field: 'created_at', operator: '>', value: 0 }, { per_page: 150 });
    const raw = res.json as { conversations: Array<Record<string, unknown>> };
    for (const c of raw.conversations) {
      expect(c).not.toHaveProperty('conversation_parts');
      for (const key of ['first_contact_reply', 'statistics', 'source', 'title', 'state', 'open', 'created_at', 'updated_at', 'contacts', 'tags']) {
        expect(c).toHaveProperty(key);
      }
    }
    expect(res.text).toMatch(/PII-MARKER-\d+/);
    expect(raw.conversations.some((c) => c['first_contact_reply'] === null)).toBe(true);
  });

  it('defaults to 20 per page and rejects more than 150', async () => {
    const def = searchResponseSchema.parse((await search(sim, { field: 'created_at', operator: '>', value: 0 })).json);
    expect(def.conversations).toHaveLength(20);
    expect(def.pages?.per_page).toBe(20);
    const max = searchResponseSchema.parse((await search(sim, { field: 'created_at', operator: '>', value: 0 }, { per_page: 150 })).json);
    expect(max.conversations).toHaveLength(150);
    const tooMany = await search(sim, { field: 'created_at', operator: '>', value: 0 }, { per_page: 151 });
    expect(tooMany.status).toBe(400);
    expect(errorListSchema.parse(tooMany.json).errors[0]?.code).toBe('parameter_invalid');
  });

  it('rejects bad cursors, unknown fields, deep nesting and oversized groups', async () => {
    const q = { field: 'created_at', operator: '>', value: 0 };
    const garbage = Buffer.from('not json').toString('base64');
    for (const starting_after of ['%%%', garbage, Buffer.from('[1,2]').toString('base64')]) {
      const res = await search(sim, q, { per_page: 10, starting_after });
      expect(res.status).toBe(400);
      expect(errorCode(res.json)).toBe('parameter_invalid');
    }
    const deep = { operator: 'AND', value: [{ operator: 'OR', value: [{ operator: 'AND', value: [q] }] }] };
    const wide = { operator: 'OR', value: Array.from({ length: 16 }, () => q) };
    const fifteen = { operator: 'OR', value: Array.from({ length: 15 }, () => q) };
    expect((await search(sim, deep)).status).toBe(400);
    expect((await search(sim, wide)).status).toBe(400);
    expect((await search(sim, fifteen)).status).toBe(200);
    expect((await search(sim, { field: 'contact_ids', operator: '=', value: 'x' })).status).toBe(400);
    expect((await search(sim, { field: 'created_at', operator: '>', value: 'yesterday' })).status).toBe(400);
    const notJson = await fetch(`${sim.baseUrl}/conversations/search`, {
      method: 'POST',
      headers: { authorization: 'Bearer tok-sim-ws-1', 'content-type': 'application/json' },
      body: '{',
    });
    expect(notJson.status).toBe(400);
    expect(errorListSchema.safeParse(await notJson.json()).success).toBe(true);
  });

  it('keeps pagination exact when conversations are created and updated mid-way', async () => {
    const ws = sim.workspace('sim-ws-1');
    const q = { field: 'created_at', operator: '>', value: 0 };
    const before = ordered(ws.conversations());
    const page1 = searchResponseSchema.parse((await search(sim, q, { per_page: 100 })).json);
    ws.createConversation(FIXED_NOW);
    ws.updateConversation(before[150] ?? '', FIXED_NOW);
    const rest: string[] = [];
    let cursor = page1.pages?.next?.starting_after;
    while (cursor !== undefined) {
      const page = searchResponseSchema.parse((await search(sim, q, { per_page: 100, starting_after: cursor })).json);
      rest.push(...page.conversations.map((c) => c.id));
      cursor = page.pages?.next?.starting_after;
    }
    expect([...page1.conversations.map((c) => c.id), ...rest]).toEqual(before);
  });
});
