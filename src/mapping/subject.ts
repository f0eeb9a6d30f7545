import type { ConversationSummary } from '../intercom/schemas';
import { cleanSubject } from './clean';
import { cleanText, htmlToText } from './htmlText';

/**
 * How Intercom rendered the subject. The client asks for `display_as=plaintext` on conversation
 * details, so those arrive as text already: stripping "tags" from them again would eat literal
 * text such as "Terms <update>". Search results (and webhooks) carry HTML.
 */
export type SubjectFormat = 'plaintext' | 'html';

/**
 * The only content of a conversation we keep: `source.subject`, else `title`, else null. A
 * subject with no text once cleaned (e.g. "<p></p>", "&nbsp;", NULs) counts as absent; a long one
 * is cut at SUBJECT_MAX_CHARS.
 */
export function subjectOf(c: Pick<ConversationSummary, 'source' | 'title'>, format: SubjectFormat = 'plaintext'): string | null {
  const text = format === 'html' ? htmlToText : cleanText;
  // Cleaned (clean.ts: no NUL, capped) before the fallback: a subject of NULs alone is absent too.
  const clean = (s: string | null | undefined) => cleanSubject(text(s));
  return clean(c.source?.subject) ?? clean(c.title);
}
