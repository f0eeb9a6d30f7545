import type { Conversation, ConversationPart } from '../intercom/schemas';

export interface FirstResponse {
  firstRespondedAt: number | null;
  firstResponseDuration: number | null;
  partsTruncated: boolean;
}

/** Bots and AI-agent answers are automated, even when the author is an admin. */
export function isHuman(part: Pick<ConversationPart, 'author'>): boolean {
  return part.author.type !== 'bot' && part.author.is_ai_answer !== true && part.author.from_ai_agent !== true;
}

/** An admin's reply to the customer: a comment (not a note, not an assignment). */
export function isAdminReply(part: Pick<ConversationPart, 'author' | 'part_type'>): boolean {
  return part.author.type === 'admin' && part.part_type === 'comment';
}

/**
 * The seed's rule: from the original message (at created_at), keep the parts written by humans;
 * the first one that is an admin's reply gives first_responded_at. Intercom returns only the 500
 * most recent parts; when older ones are missing, Intercom's own `first_admin_reply_at`, computed
 * over all parts, is used instead.
 */
export function firstResponse(c: Conversation): FirstResponse {
  const parts = c.conversation_parts.conversation_parts;
  const partsTruncated = c.conversation_parts.total_count > parts.length;
  let at: number | null = null;
  const ordered = parts.map((p, i) => ({ p, i })).sort((a, b) => a.p.created_at - b.p.created_at || a.i - b.i);
  for (const { p } of ordered) {
    if (isHuman(p) && isAdminReply(p)) {
      at = p.created_at;
      break;
    }
  }
  if (partsTruncated && c.statistics?.first_admin_reply_at) at = c.statistics.first_admin_reply_at;
  return {
    firstRespondedAt: at,
    firstResponseDuration: at === null ? null : Math.max(0, at - c.created_at),
    partsTruncated,
  };
}
