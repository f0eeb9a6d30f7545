import type { Conversation, ConversationPart } from '../intercom/schemas';

export interface FirstResponse {
  /** Unix seconds. */
  firstRespondedAt: number | null;
  /** Whole seconds from created_at, never negative. */
  firstResponseDuration: number | null;
  /** The admin who wrote the reply that gives firstRespondedAt; null where that reply is not among the parts. */
  firstResponderAdminId: string | null;
  /** Intercom returned fewer parts than the conversation has (it keeps only the 500 most recent). */
  partsTruncated: boolean;
}

/** Bots and AI-agent answers are automated, even when Intercom names a teammate as the author. */
export function isHuman(part: Pick<ConversationPart, 'author'>): boolean {
  return part.author.type !== 'bot' && part.author.is_ai_answer !== true && part.author.from_ai_agent !== true;
}

/** An admin's reply to the customer: a comment. Notes are internal and assignments are routing. */
export function isAdminReply(part: Pick<ConversationPart, 'author' | 'part_type'>): boolean {
  return part.author.type === 'admin' && part.part_type === 'comment';
}

/** Parts in time order; Intercom's order is kept for parts created in the same second. */
export function chronological<P extends Pick<ConversationPart, 'created_at'>>(parts: readonly P[]): P[] {
  return parts
    .map((part, index) => ({ part, index }))
    .sort((a, b) => a.part.created_at - b.part.created_at || a.index - b.index)
    .map((x) => x.part);
}

/**
 * Intercom returned fewer parts than the conversation has. Either count can tell, and Intercom is
 * not consistent about which: `conversation_parts.total_count` sometimes counts only the parts
 * returned, while `statistics.count_conversation_parts` counts every part plus the source message.
 */
export function isTruncated(c: Pick<Conversation, 'conversation_parts' | 'statistics'>): boolean {
  const returned = c.conversation_parts.conversation_parts.length;
  const counted = c.statistics?.count_conversation_parts;
  return c.conversation_parts.total_count > returned || (typeof counted === 'number' && counted > returned + 1);
}

/**
 * The seed's rule. The original message (the source, at `created_at`) starts the clock and is
 * never itself a response, even when an admin wrote it (outbound messages). Of the parts written
 * by humans, the first admin reply gives `first_responded_at`, and its author the responder.
 *
 * Intercom returns only the 500 most recent parts, so in a truncated conversation the first reply
 * may be among the missing ones: Intercom's `statistics.first_admin_reply_at`, computed over all
 * parts, is then used; without it the time is unknown (null). The first reply among the visible
 * parts would be a later one, and an overstated response time misleads a forecast more than a gap.
 * The responder of a truncated conversation is known only when a visible human admin reply was
 * written at that very second; otherwise it is null.
 */
export function firstResponse(c: Conversation): FirstResponse {
  const partsTruncated = isTruncated(c);
  const replies = chronological(c.conversation_parts.conversation_parts).filter((p) => isHuman(p) && isAdminReply(p));
  let at: number | null;
  let reply: ConversationPart | undefined;
  if (partsTruncated) {
    at = c.statistics?.first_admin_reply_at ?? null;
    reply = at === null ? undefined : replies.find((p) => p.created_at === at);
  } else {
    reply = replies[0];
    at = reply?.created_at ?? null;
  }
  return {
    firstRespondedAt: at,
    firstResponseDuration: at === null ? null : Math.max(0, Math.floor(at - c.created_at)),
    firstResponderAdminId: reply?.author.id ?? null,
    partsTruncated,
  };
}
