import { isIgnored } from '../../src/mapping/ignore';
import { statusEvents } from '../../src/mapping/statusEvents';
import { subjectOf } from '../../src/mapping/subject';
import { toTicketRow } from '../../src/mapping/ticket';
import { toAgentRow, toAgentState, toQueueRow, toTeamRow } from '../../src/mapping/agent';
import { adminComment, contact, conversation, part } from './fixtures';

describe('subject', () => {
  it('is source.subject, else title, else null; whitespace collapsed', () => {
    expect(subjectOf({ source: { subject: '  Refund\n request ' }, title: 'T' })).toBe('Refund request');
    expect(subjectOf({ source: { subject: '   ' }, title: ' Billing ' })).toBe('Billing');
    expect(subjectOf({ source: { subject: null }, title: null })).toBeNull();
    expect(subjectOf({ source: null, title: undefined })).toBeNull();
  });

  it('keeps plain text that looks like markup (Intercom sends plain text for display_as=plaintext)', () => {
    expect(subjectOf({ source: { subject: 'Terms & conditions <update>' } })).toBe('Terms & conditions <update>');
  });
});

describe('ignored conversations', () => {
  it('are those whose first_contact_reply is null', () => {
    expect(isIgnored({ first_contact_reply: null })).toBe(true);
    expect(isIgnored({})).toBe(true);
    expect(isIgnored({ first_contact_reply: { created_at: 5 } })).toBe(false);
  });
});

describe('status events', () => {
  it('map part types with the seed table and skip the others', () => {
    const types = ['snoozed', 'close', 'unsnoozed', 'note_and_reopen', 'timer_unsnooze', 'open', 'assign_and_reopen', 'comment', 'note', 'assignment', 'participant_added'];
    const c = conversation(types.map((t, i) => part({ part_type: t, created_at: 2_000 + i })));
    expect(statusEvents(c).map((e) => e.status)).toEqual(['snoozed', 'closed', 'open', 'open', 'open', 'open', 'open']);
    expect(statusEvents(c)[1]).toMatchObject({ occurredAt: 2_001 });
  });
});

describe('ticket row', () => {
  it('is a chat with the conversation state, timestamps as dates, nothing but the subject of its content', () => {
    const c = conversation([contact(1_010), adminComment(1_100), part({ part_type: 'close', created_at: 1_200 })], { state: 'closed' });
    const { ticket, events } = toTicketRow('ws', c, new Date(0));
    expect(ticket).toMatchObject({
      workspace_id: 'ws',
      conversation_id: '100',
      status: 'closed',
      channel: 'chat',
      subject: 'Hello',
      first_response_duration: 100,
      parts_truncated: false,
    });
    expect(ticket.created_at).toEqual(new Date(1_000_000));
    expect(ticket.first_responded_at).toEqual(new Date(1_100_000));
    expect(events).toEqual([{ workspace_id: 'ws', conversation_id: '100', part_id: expect.any(String), status: 'closed', occurred_at: new Date(1_200_000) }]);
    expect(Object.keys(ticket).sort()).toEqual(
      ['channel', 'conversation_id', 'created_at', 'first_responded_at', 'first_response_duration', 'parts_truncated', 'status', 'subject', 'synced_at', 'updated_at', 'workspace_id'],
    );
  });
});

describe('agents, teams and queues', () => {
  const admin = { id: '7', name: 'Ana', email: 'ana@corp.test', away_mode_enabled: true, away_mode_reassign: true, team_ids: ['3'] };
  it('every agent is standard; away mode on means away, and the reassign flag is kept', () => {
    expect(toAgentRow('ws', admin, new Date(0))).toMatchObject({ role: 'standard', admin_id: '7', team_ids: ['3'] });
    expect(toAgentState(admin)).toEqual({ adminId: '7', state: 'away', reassign: true });
    expect(toAgentState({ ...admin, away_mode_enabled: false, away_mode_reassign: null })).toEqual({ adminId: '7', state: 'available', reassign: false });
  });
  it('teams are teams and tags are queues', () => {
    expect(toTeamRow('ws', { id: '3', name: 'Tier 1', admin_ids: ['7'] }, new Date(0))).toMatchObject({ team_id: '3', name: 'Tier 1', admin_ids: ['7'] });
    expect(toQueueRow('ws', { id: '11', name: 'VIP' }, new Date(0))).toMatchObject({ tag_id: '11', name: 'VIP' });
  });
});
