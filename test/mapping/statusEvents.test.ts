import { statusEvents, statusOfPartType } from '../../src/mapping/statusEvents';
import { conversation, part } from './fixtures';

describe('status events', () => {
  it('follow the seed table', () => {
    expect(statusOfPartType('snoozed')).toBe('snoozed');
    expect(statusOfPartType('close')).toBe('closed');
    for (const t of ['unsnoozed', 'note_and_reopen', 'timer_unsnooze', 'open', 'assign_and_reopen']) expect(statusOfPartType(t)).toBe('open');
  });

  it('come from no other part type', () => {
    for (const t of ['comment', 'note', 'assignment', 'note_and_unsnooze', 'assign_and_unsnooze', 'participant_added', 'closed', 'constructor', 'toString', ''])
      expect(statusOfPartType(t)).toBeNull();
  });

  it('are keyed by part id, dated by the part, in time order', () => {
    const types = ['snoozed', 'close', 'unsnoozed', 'note_and_reopen', 'timer_unsnooze', 'open', 'assign_and_reopen', 'comment', 'note', 'assignment', 'participant_added'];
    const parts = types.map((t, i) => part({ id: `p${i}`, part_type: t, created_at: 2_000 + i }));
    const events = statusEvents(conversation([...parts].reverse()));
    expect(events).toEqual([
      { partId: 'p0', status: 'snoozed', occurredAt: 2_000 },
      { partId: 'p1', status: 'closed', occurredAt: 2_001 },
      { partId: 'p2', status: 'open', occurredAt: 2_002 },
      { partId: 'p3', status: 'open', occurredAt: 2_003 },
      { partId: 'p4', status: 'open', occurredAt: 2_004 },
      { partId: 'p5', status: 'open', occurredAt: 2_005 },
      { partId: 'p6', status: 'open', occurredAt: 2_006 },
    ]);
  });

  it('count whoever changed the status, bots included', () => {
    expect(statusEvents(conversation([part({ id: 'x', part_type: 'close', created_at: 3_000, author: { type: 'bot' } })]))).toEqual([{ partId: 'x', status: 'closed', occurredAt: 3_000 }]);
  });
});
