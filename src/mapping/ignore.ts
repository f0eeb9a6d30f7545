import type { ConversationSummary } from '../intercom/schemas';

/**
 * The seed: a conversation whose `first_contact_reply` is null is ignored (never stored). Search
 * results carry the field, so an ignored conversation costs no detail request.
 */
export function isIgnored(c: Pick<ConversationSummary, 'first_contact_reply'>): boolean {
  return c.first_contact_reply === null || c.first_contact_reply === undefined;
}
