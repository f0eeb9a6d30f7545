import type { TicketRow } from '../../src/db/schema';
import type { Conversation, ConversationPart } from '../../src/intercom/schemas';
import { MAPPING_VERSION } from '../../src/mapping/ticket';

type PartInput = Partial<Omit<ConversationPart, 'author'>> & Pick<ConversationPart, 'part_type' | 'created_at'> & { author?: Partial<ConversationPart['author']> };

let nextPart = 1;

/** A part by admin 7 unless told otherwise. */
export function part(p: PartInput): ConversationPart {
  return { id: String(nextPart++), ...p, author: { type: 'admin', id: '7', ...p.author } };
}

export const contact = (created_at: number, part_type = 'comment') => part({ part_type, created_at, author: { type: 'user', id: 'c1' } });
export const adminComment = (created_at: number) => part({ part_type: 'comment', created_at, author: { type: 'admin', id: '7' } });

/** Created at 1 000 by a customer, subject "Hello". */
export function conversation(parts: ConversationPart[], over: Partial<Conversation> = {}): Conversation {
  return {
    id: '100',
    created_at: 1_000,
    updated_at: 5_000,
    state: 'open',
    title: null,
    source: { subject: 'Hello', author: { type: 'user', id: 'c1' } },
    first_contact_reply: { created_at: 1_000, type: 'conversation' },
    statistics: null,
    conversation_parts: { conversation_parts: parts, total_count: parts.length },
    ...over,
  };
}

/**
 * The ticket row, written out by hand, of a closed conversation made of a customer message at 1 010, a reply by
 * admin 7 at 1 100 and a close at 1 200 (the mapping test and the repository test both build this one).
 */
export function closedTicketRow(o: Pick<TicketRow, 'workspace_id' | 'conversation_id' | 'subject' | 'synced_at'>): TicketRow {
  return {
    workspace_id: o.workspace_id,
    conversation_id: o.conversation_id,
    created_at: new Date(1_000_000),
    updated_at: new Date(5_000_000),
    subject: o.subject,
    status: 'closed',
    channel: 'chat',
    first_responded_at: new Date(1_100_000),
    first_response_duration: 100,
    parts_truncated: false,
    synced_at: o.synced_at,
    assignee_admin_id: null,
    team_id: null,
    first_responder_admin_id: '7',
    source_type: null,
    source_delivered_as: null,
    priority: null,
    tag_ids: [],
    mapping_version: MAPPING_VERSION,
  };
}
