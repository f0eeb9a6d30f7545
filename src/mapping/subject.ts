import type { ConversationSummary } from '../intercom/schemas';
import { plainText } from './plainText';

/** The only content of a conversation we keep: `source.subject` as plain text, else `title`, else null. */
export function subjectOf(c: Pick<ConversationSummary, 'source' | 'title'>): string | null {
  return plainText(c.source?.subject) ?? plainText(c.title);
}
