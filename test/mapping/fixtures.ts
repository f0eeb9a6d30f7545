import type { Conversation, ConversationPart } from '../../src/intercom/schemas';

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
