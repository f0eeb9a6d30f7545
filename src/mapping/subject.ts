import type { ConversationSummary } from '../intercom/schemas';
import { cleanText, htmlToText } from './htmlText';

/**
 * How Intercom rendered the subject. The client asks for `display_as=plaintext` on conversation
 * details, so those arrive as text already: stripping "tags" from them again would eat literal
 * text such as "Terms <update>". Search results (and webhooks) carry HTML.
 */
export type SubjectFormat = 'plaintext' | 'html';

/**
 * The only content of a conversation we keep: `source.subject`, else `title`, else null. A
 * subject with no text once cleaned (e.g. "<p></p>", "&nbsp;") counts as absent.
 */
export function subjectOf(c: Pick<ConversationSummary, 'source' | 'title'>, format: SubjectFormat = 'plaintext'): string | null {
  const clean = format === 'html' ? htmlToText : cleanText;
  return clean(c.source?.subject) ?? clean(c.title);
}
