import { isIgnored } from '../../src/mapping/ignore';
import { toTicketRow } from '../../src/mapping/ticket';
import { adminComment, closedTicketRow, contact, conversation, part } from './fixtures';

describe('ignored conversations', () => {
  it('are those whose first_contact_reply is null or missing', () => {
    expect(isIgnored({ first_contact_reply: null })).toBe(true);
    expect(isIgnored({ first_contact_reply: undefined })).toBe(true);
    expect(isIgnored({})).toBe(true);
    expect(isIgnored({ first_contact_reply: { created_at: 5 } })).toBe(false);
    expect(isIgnored({ first_contact_reply: { created_at: null, type: 'conversation' } })).toBe(false);
  });
});

describe('ticket row', () => {
  it('is a chat with the conversation state, timestamps as dates, nothing but the subject of its content', () => {
    const close = part({ part_type: 'close', created_at: 1_200 });
    const c = conversation([contact(1_010), adminComment(1_100), close], { state: 'closed' });
    const syncedAt = new Date(42);
    const { ticket, events } = toTicketRow('ws', c, syncedAt);
    expect(ticket).toEqual(closedTicketRow({ workspace_id: 'ws', conversation_id: '100', subject: 'Hello', synced_at: syncedAt }));
    expect(events).toEqual([{ workspace_id: 'ws', conversation_id: '100', part_id: close.id, status: 'closed', occurred_at: new Date(1_200_000) }]);
  });

  it('status is the current state, even when the parts suggest otherwise (truncated history)', () => {
    const { ticket } = toTicketRow('ws', conversation([part({ part_type: 'close', created_at: 1_100 })], { state: 'snoozed' }), new Date(0));
    expect(ticket.status).toBe('snoozed');
  });

  it('has null first response fields while no admin has replied, and marks truncation', () => {
    const parts = [contact(1_010)];
    const { ticket } = toTicketRow('ws', conversation(parts, { conversation_parts: { conversation_parts: parts, total_count: 800 } }), new Date(0));
    expect(ticket).toMatchObject({ first_responded_at: null, first_response_duration: null, parts_truncated: true });
  });

  it('cleans the subject according to how the conversation was fetched', () => {
    const c = conversation([], { source: { subject: '<p>Refund &amp; return</p>' } });
    expect(toTicketRow('ws', c, new Date(0), { subjectFormat: 'html' }).ticket.subject).toBe('Refund & return');
    expect(toTicketRow('ws', conversation([], { source: { subject: '  a <b> ' } }), new Date(0)).ticket.subject).toBe('a <b>');
  });
});

describe('attribution', () => {
  it('names the assignee admin and team, the queues (tag ids), the source and the priority as Intercom does', () => {
    const c = conversation([contact(1_010), part({ part_type: 'comment', created_at: 1_100, author: { type: 'admin', id: '55' } })], {
      admin_assignee_id: '4000001',
      team_assignee_id: '7000002',
      priority: 'priority',
      source: { type: 'email', delivered_as: 'customer_initiated', subject: 'Hi' },
      tags: { tags: [{ id: '8000003' }, { id: '8000001' }, { id: '8000003' }] },
    });
    const { ticket } = toTicketRow('ws', c, new Date(0));
    expect(ticket).toMatchObject({
      assignee_admin_id: '4000001',
      team_id: '7000002',
      first_responder_admin_id: '55',
      source_type: 'email',
      source_delivered_as: 'customer_initiated',
      priority: 'priority',
      channel: 'chat',
    });
    expect(ticket.tag_ids).toEqual(['8000001', '8000003']);
  });

  it('is null (and no queues) for an unassigned, untagged conversation; 0 is no teammate', () => {
    const c = conversation([contact(1_010)], { admin_assignee_id: null, team_assignee_id: '0', tags: { tags: [] } });
    const { ticket } = toTicketRow('ws', c, new Date(0));
    expect(ticket).toMatchObject({ assignee_admin_id: null, team_id: null, first_responder_admin_id: null, tag_ids: [] });
    expect(toTicketRow('ws', conversation([]), new Date(0)).ticket.tag_ids).toEqual([]);
  });

  it('stores nothing of a contact: the source author is not kept', () => {
    const c = conversation([], { source: { type: 'conversation', delivered_as: 'customer_initiated', subject: 'x', author: { type: 'user', id: 'contact-123' } } });
    expect(JSON.stringify(toTicketRow('ws', c, new Date(0)))).not.toContain('contact-123');
  });
});
