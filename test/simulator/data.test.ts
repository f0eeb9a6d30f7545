import type { Simulator, SimWorkspace } from '../../testkit/simulator';
import { PART_CAP, startSimulator } from '../../testkit/simulator';
import { FIXED_NOW, htmlToText, isHumanAdminComment, STATUS_BY_PART_TYPE } from './helpers';

const N = 400;
const nowSec = Math.floor(FIXED_NOW / 1000);
let sim: Simulator;
let ws: SimWorkspace;

beforeAll(async () => {
  sim = await startSimulator({
    seed: 42,
    now: () => FIXED_NOW,
    workspaces: [
      { id: 'a', name: 'A', region: 'us', conversations: N },
      { id: 'b', name: 'B', region: 'eu', conversations: 50 },
    ],
  });
  ws = sim.workspace('a');
});
afterAll(() => sim.stop());

describe('generated data', () => {
  it('is a pure function of the seed and the clock', async () => {
    const spec = [{ id: 'a', name: 'A', region: 'us' as const, conversations: 60 }];
    const one = await startSimulator({ seed: 7, now: () => FIXED_NOW, workspaces: spec });
    const two = await startSimulator({ seed: 7, now: () => FIXED_NOW, workspaces: spec });
    const other = await startSimulator({ seed: 8, now: () => FIXED_NOW, workspaces: spec });
    try {
      const dump = (s: Simulator): string =>
        JSON.stringify([s.workspace('a').conversations(), s.workspace('a').admins(), s.workspace('a').expected()]);
      expect(dump(one)).toBe(dump(two));
      expect(dump(other)).not.toBe(dump(one));
    } finally {
      await Promise.all([one.stop(), two.stop(), other.stop()]);
    }
  });

  it('has unique numeric ids across workspaces and spans more than five years up to a few minutes ago', () => {
    const all = [...ws.conversations(), ...sim.workspace('b').conversations()];
    const ids = all.map((c) => c.id);
    expect(ids.every((id) => /^\d+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const created = ws.conversations().map((c) => c.created_at);
    const oldest = Math.min(...created);
    const newest = Math.max(...created);
    expect(nowSec - oldest).toBeGreaterThan(5 * 365.25 * 86_400);
    expect(nowSec - oldest).toBeLessThanOrEqual(5.5 * 365.25 * 86_400 + 60);
    expect(nowSec - newest).toBeGreaterThanOrEqual(60);
    expect(nowSec - newest).toBeLessThan(15 * 60);
  });

  it('keeps parts chronological, in the past, and the state consistent with the last state change', () => {
    for (const c of ws.conversations()) {
      const parts = ws.allParts(c.id);
      let prev = c.created_at;
      let state: string = 'open';
      for (const p of parts) {
        expect(p.created_at).toBeGreaterThanOrEqual(prev);
        prev = p.created_at;
        state = STATUS_BY_PART_TYPE[p.part_type] ?? state;
        expect(p.state).toBe(state);
      }
      expect(prev).toBeLessThanOrEqual(nowSec);
      expect(c.state).toBe(state);
      expect(c.open).toBe(state !== 'closed');
      expect(c.updated_at).toBeGreaterThanOrEqual(prev);
      expect(c.statistics.count_conversation_parts).toBe(parts.length + 1);
    }
  });

  it('has about 10% ignored conversations, none of them in expected()', () => {
    const convs = ws.conversations();
    const ignored = convs.filter((c) => c.first_contact_reply === null);
    expect(ignored.length / N).toBeGreaterThan(0.05);
    expect(ignored.length / N).toBeLessThan(0.16);
    const expectedIds = new Set(ws.expected().map((e) => e.conversationId));
    expect(expectedIds.size).toBe(N - ignored.length);
    for (const c of ignored) expect(expectedIds.has(c.id)).toBe(false);
  });

  it('caps parts at the 500 most recent while reporting the real count', () => {
    const huge = ws.conversations().filter((c) => c.conversation_parts.total_count > PART_CAP);
    expect(huge.length).toBeGreaterThanOrEqual(2);
    for (const c of huge) {
      const all = ws.allParts(c.id);
      expect(all.length).toBeGreaterThanOrEqual(510);
      expect(all.length).toBeLessThanOrEqual(700);
      expect(c.conversation_parts.total_count).toBe(all.length);
      expect(c.conversation_parts.conversation_parts.map((p) => p.id)).toEqual(all.slice(-PART_CAP).map((p) => p.id));
      // The first human reply is among the parts the API no longer returns, yet statistics still report it.
      const first = all.find(isHumanAdminComment);
      expect(first).toBeDefined();
      expect(c.conversation_parts.conversation_parts.some((p) => p.id === first?.id)).toBe(false);
      expect(c.statistics.first_admin_reply_at).toBe(first?.created_at);
    }
  });

  it('agrees with an independent reading of the parts for every conversation', () => {
    const byId = new Map(ws.conversations().map((c) => [c.id, c]));
    for (const e of ws.expected()) {
      const c = byId.get(e.conversationId);
      if (c === undefined) throw new Error(`missing ${e.conversationId}`);
      const all = ws.allParts(c.id);
      const first = all.find(isHumanAdminComment)?.created_at ?? null;
      expect(e.firstRespondedAt).toBe(first);
      expect(e.firstResponseDuration).toBe(first === null ? null : first - c.created_at);
      expect(c.statistics.first_admin_reply_at ?? null).toBe(first);
      const events = c.conversation_parts.conversation_parts
        .filter((p) => STATUS_BY_PART_TYPE[p.part_type] !== undefined)
        .map((p) => ({ partId: p.id, status: STATUS_BY_PART_TYPE[p.part_type], occurredAt: p.created_at }));
      expect(e.statusEvents).toEqual(events);
      expect(e.status).toBe(c.state);
      expect(e.createdAt).toBe(c.created_at);
      expect(e.updatedAt).toBe(c.updated_at);
      expect(e.partsTruncated).toBe(all.length > PART_CAP);
      const fromSubject = htmlToText(c.source.subject);
      expect(e.subject).toBe(fromSubject !== '' ? fromSubject : (c.title ?? null));
    }
  });

  it('contains the traps a naive first-response rule falls into', () => {
    const expected = new Map(ws.expected().map((e) => [e.conversationId, e]));
    let aiBeforeHuman = 0;
    let aiAsAdmin = 0;
    let noteOrAssignBefore = 0;
    let noReply = 0;
    for (const c of ws.conversations()) {
      const e = expected.get(c.id);
      if (e === undefined) continue;
      const all = ws.allParts(c.id);
      const firstIdx = all.findIndex(isHumanAdminComment);
      if (firstIdx < 0) {
        noReply += 1;
        continue;
      }
      const before = all.slice(0, firstIdx);
      if (before.some((p) => p.part_type === 'comment' && (p.author.is_ai_answer || p.author.from_ai_agent || p.author.type === 'bot'))) {
        aiBeforeHuman += 1;
      }
      if (before.some((p) => p.part_type === 'comment' && p.author.type === 'admin' && (p.author.is_ai_answer || p.author.from_ai_agent))) {
        aiAsAdmin += 1;
      }
      if (before.some((p) => p.author.type === 'admin' && ['note', 'assignment'].includes(p.part_type))) noteOrAssignBefore += 1;
    }
    expect(aiBeforeHuman).toBeGreaterThan(10);
    expect(aiAsAdmin).toBeGreaterThan(3);
    expect(noteOrAssignBefore).toBeGreaterThan(10);
    expect(noReply).toBeGreaterThan(10);
  });

  it('mixes HTML subjects, titles and missing subjects', () => {
    const convs = ws.conversations();
    const expected = ws.expected();
    expect(convs.some((c) => /<\w+>/.test(c.source.subject) && htmlToText(c.source.subject) !== '')).toBe(true);
    expect(convs.some((c) => /&(amp|lt|gt|quot|#39|nbsp);/.test(c.source.subject))).toBe(true);
    expect(convs.some((c) => c.source.subject !== '' && htmlToText(c.source.subject) === '' && c.title !== null)).toBe(true);
    const withSubject = expected.filter((e) => e.subject !== null).length;
    expect(withSubject / expected.length).toBeGreaterThan(0.55);
    expect(expected.some((e) => e.subject === null)).toBe(true);
  });

  it('plants a PII marker in every body, contact name and email, and never in subjects or titles', () => {
    const markers = new Set(ws.piiMarkers());
    expect(markers.size).toBe(N);
    const hasMarker = (s: string): boolean => [...s.matchAll(/PII-MARKER-\d+/g)].some((m) => markers.has(m[0]));
    for (const c of ws.conversations()) {
      expect(hasMarker(c.source.body)).toBe(true);
      if (c.source.author.type === 'user' || c.source.author.type === 'lead') {
        expect(hasMarker(c.source.author.name)).toBe(true);
        expect(hasMarker(c.source.author.email)).toBe(true);
      }
      expect(c.source.subject).not.toContain('PII-MARKER');
      expect(c.title ?? '').not.toContain('PII-MARKER');
      for (const p of ws.allParts(c.id)) {
        if (p.body !== null) expect(hasMarker(p.body)).toBe(true);
        if (p.author.type === 'user' || p.author.type === 'lead') expect(hasMarker(`${p.author.name} ${p.author.email}`)).toBe(true);
      }
    }
  });

  it('has admins with teams and away modes, and teams and tags', () => {
    const admins = ws.admins();
    expect(admins).toHaveLength(8);
    expect(new Set(admins.map((a) => a.id)).size).toBe(8);
    expect(admins.every((a) => /^\d+$/.test(a.id) && a.team_ids.every(Number.isInteger))).toBe(true);
    expect(admins.every((a) => !a.email.includes('PII-MARKER'))).toBe(true);
  });
});
