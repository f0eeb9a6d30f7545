import { newRecord } from '../../testkit/simulator/conversation';
import { Directory } from '../../testkit/simulator/directory';
import { Rng } from '../../testkit/simulator/random';
import type { Action } from '../../testkit/simulator/timeline';
import { applyAction } from '../../testkit/simulator/timeline';
import type { SimWorkspaceSpec } from '../../testkit/simulator/types';
import { WorkspaceState } from '../../testkit/simulator/workspace';

// Hand-written timelines whose expected tickets are worked out by hand, not by any code under test.

const spec: SimWorkspaceSpec = { id: 'h', name: 'Hand', region: 'us', conversations: 0 };
const T0 = 1_700_000_000;

function build(actions: Array<[number, Action]>, extraParts = 0): WorkspaceState {
  const dir = new Directory(spec, 0, 1);
  const rng = new Rng(5);
  const rec = newRecord(dir, rng, T0, 'customer');
  for (let i = 0; i < extraParts; i++) applyAction(dir, rec, { kind: 'noise', variant: 'language_detection_details' }, T0 + 1, rng);
  for (const [offset, action] of actions) applyAction(dir, rec, action, T0 + offset, rng);
  rec.updatedAt = T0 + (actions[actions.length - 1]?.[0] ?? 0);
  return new WorkspaceState(spec, { directory: dir, records: [rec] }, 1, () => (T0 + 10_000) * 1000, () => []);
}

describe('ExpectedTicket oracle on hand-checked conversations', () => {
  it('skips AI answers, bots, notes and assignments before the first human reply', () => {
    const ws = build([
      [5, { kind: 'bot' }],
      [10, { kind: 'ai', as: 'admin' }],
      [20, { kind: 'ai', as: 'bot' }],
      [30, { kind: 'note' }],
      [40, { kind: 'assign', by: 'admin' }],
      [100, { kind: 'human' }],
      [200, { kind: 'human' }],
      [300, { kind: 'close', by: 'admin' }],
    ]);
    const [e] = ws.expected();
    const parts = ws.allParts(e?.conversationId ?? '');
    expect(e?.firstRespondedAt).toBe(T0 + 100);
    expect(e?.firstResponseDuration).toBe(100);
    expect(e?.status).toBe('closed');
    expect(e?.statusEvents).toEqual([{ partId: parts[7]?.id, status: 'closed', occurredAt: T0 + 300 }]);
    expect(e?.partsTruncated).toBe(false);
    // The AI answer under a teammate's name looks like a comment by an admin.
    expect(parts[1]?.part_type).toBe('comment');
    expect(parts[1]?.author.type).toBe('admin');
  });

  it('maps every state change and ends in the last one', () => {
    const ws = build([
      [10, { kind: 'close', by: 'bot' }],
      [20, { kind: 'reopen', variant: 'note_and_reopen' }],
      [30, { kind: 'snooze' }],
      [40, { kind: 'unsnooze', variant: 'timer_unsnooze' }],
      [50, { kind: 'close', by: 'admin' }],
      [60, { kind: 'reopen', variant: 'assign_and_reopen' }],
      [70, { kind: 'snooze' }],
      [80, { kind: 'unsnooze', variant: 'unsnoozed' }],
      [90, { kind: 'reopen', variant: 'open' }],
      [95, { kind: 'snooze' }],
    ]);
    const [e] = ws.expected();
    const parts = ws.allParts(e?.conversationId ?? '');
    expect(parts.map((p) => p.part_type)).toEqual([
      'close', 'note_and_reopen', 'snoozed', 'timer_unsnooze', 'close', 'assign_and_reopen', 'snoozed', 'unsnoozed', 'open', 'snoozed',
    ]);
    expect(e?.statusEvents.map((s) => [s.status, s.occurredAt - T0])).toEqual([
      ['closed', 10], ['open', 20], ['snoozed', 30], ['open', 40], ['closed', 50], ['open', 60], ['snoozed', 70], ['open', 80], ['open', 90], ['snoozed', 95],
    ]);
    expect(e?.status).toBe('snoozed');
    expect(e?.firstRespondedAt).toBeNull();
    expect(e?.firstResponseDuration).toBeNull();
  });

  it('finds the first reply beyond the 500-part cap but keeps only the returned status events', () => {
    const ws = build(
      [
        [2, { kind: 'human' }],
        [3, { kind: 'close', by: 'admin' }],
        ...Array.from({ length: 505 }, (_, i): [number, Action] => [10 + i, { kind: 'noise', variant: 'priority_changed' }]),
        [600, { kind: 'reopen', variant: 'open' }],
      ],
      3,
    );
    const [e] = ws.expected();
    const conv = ws.conversations()[0];
    expect(conv?.conversation_parts.total_count).toBe(3 + 2 + 505 + 1);
    expect(conv?.conversation_parts.conversation_parts).toHaveLength(500);
    expect(conv?.statistics.first_admin_reply_at).toBe(T0 + 2);
    expect(e?.firstRespondedAt).toBe(T0 + 2);
    expect(e?.partsTruncated).toBe(true);
    expect(e?.statusEvents.map((s) => [s.status, s.occurredAt - T0])).toEqual([['open', 600]]);
    expect(e?.status).toBe('open');
  });
});
