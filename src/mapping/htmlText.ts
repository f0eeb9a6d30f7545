const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

// Block-level boundaries separate words; inline tags (<b>, <span>) do not.
const BLOCK_TAG = /<\/?(?:br|p|div|li|ul|ol|h[1-6]|tr|td|th|blockquote|pre)\b[^>]*>/gi;
// Only things that look like tags: "a < b" stays text.
const ANY_TAG = /<!--[\s\S]*?-->|<\/?[a-z][^>]*>/gi;
const ENTITY = /&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]+);/gi;

function decodeEntity(whole: string, name: string): string {
  const lower = name.toLowerCase();
  if (lower.startsWith('#')) {
    const code = lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : parseInt(lower.slice(1), 10);
    // NUL, surrogates and out-of-range numbers are not characters: keep the text as written.
    const valid = code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
    return valid ? String.fromCodePoint(code) : whole;
  }
  return NAMED[lower] ?? whole;
}

/** Collapses whitespace (including no-break spaces) and trims; empty counts as absent. */
export function cleanText(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  const collapsed = text.replace(/\s+/g, ' ').trim();
  return collapsed === '' ? null : collapsed;
}

/**
 * HTML → plain text. Tags go before entities are decoded, so an escaped "&lt;b&gt;" survives as
 * the text "<b>"; decoding is a single pass, so "&amp;lt;" becomes "&lt;", not "<".
 */
export function htmlToText(html: string | null | undefined): string | null {
  if (html === null || html === undefined) return null;
  return cleanText(html.replace(BLOCK_TAG, ' ').replace(ANY_TAG, '').replace(ENTITY, decodeEntity));
}
