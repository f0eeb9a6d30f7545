import type { Conversation, ConversationPart } from '../intercom/schemas';

export interface FirstResponse {
  /** Unix seconds. */
  firstRespondedAt: number | null;
  /** Whole seconds from created_at, never negative. */
  firstResponseDuration: number | null;
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

export function isTruncated(c: Pick<Conversation, 'conversation_parts'>): boolean {
  return c.conversation_parts.total_count > c.conversation_parts.conversation_parts.length;
}

/**
 * The seed's rule. The original message (the source, at `created_at`) starts the clock and is
 * never itself a response, even when an admin wrote it (outbound messages). Of the parts written
 * by humans, the first admin reply gives `first_responded_at`.
 *
 * Intercom returns only the 500 most recent parts, so in a truncated conversation the first reply
 * may be among the missing ones: Intercom's `statistics.first_admin_reply_at`, computed over all
 * parts, is then used; without it the time is unknown (null). The first reply among the visible
 * parts would be a later one, and an overstated response time misleads a forecast more than a gap.
 */
export function firstResponse(c: Conversation): FirstResponse {
  const partsTruncated = isTruncated(c);
  const fromParts = chronological(c.conversation_parts.conversation_parts).find((p) => isHuman(p) && isAdminReply(p))?.created_at ?? null;
  const fromStatistics = c.statistics?.first_admin_reply_at ?? null;
  const at = partsTruncated ? fromStatistics : fromParts;
  return {
    firstRespondedAt: at,
    firstResponseDuration: at === null ? null : Math.max(0, Math.floor(at - c.created_at)),
    partsTruncated,
  };
}
