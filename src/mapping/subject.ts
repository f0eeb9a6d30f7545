import type { ConversationSummary } from '../intercom/schemas';

function clean(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  const collapsed = text.replace(/\s+/g, ' ').trim();
  return collapsed === '' ? null : collapsed;
}

/**
 * The only content of a conversation we keep: `source.subject`, else `title`, else null. The
 * client asks Intercom for `display_as=plaintext`, so the subject arrives as plain text already;
 * stripping "tags" again would eat literal text such as "<update>".
 */
export function subjectOf(c: Pick<ConversationSummary, 'source' | 'title'>): string | null {
  return clean(c.source?.subject) ?? clean(c.title);
}
