import type { ConversationSummary } from '../intercom/schemas';

/** The seed: a conversation whose `first_contact_reply` is null is ignored. Search results carry it, so no detail request is needed. */
export function isIgnored(c: Pick<ConversationSummary, 'first_contact_reply'>): boolean {
  return c.first_contact_reply === null || c.first_contact_reply === undefined;
}
