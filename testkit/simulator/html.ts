import type { Rng } from './random';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/**
 * Encodes a plain subject the way Intercom's composer might: escaped entities, an occasional &nbsp; for a space,
 * a word in <b>/<i>, wrapped in <p> with stray whitespace. Tags only ever wrap whole words and spaces are kept,
 * so stripping tags, decoding entities and collapsing whitespace gives back exactly `plain`.
 */
export function subjectToHtml(plain: string, rng: Rng): string {
  const words = plain.split(' ').map(escapeHtml);
  if (words.length > 1 && rng.chance(0.6)) {
    const i = rng.int(0, words.length - 1);
    const tag = rng.pick(['b', 'i', 'strong']);
    words[i] = `<${tag}>${words[i] ?? ''}</${tag}>`;
  }
  let html = '';
  words.forEach((w, i) => {
    if (i > 0) html += rng.chance(0.2) ? '&nbsp;' : ' ';
    html += w;
  });
  return rng.chance(0.3) ? `<p>\n  ${html}\n</p>` : `<p>${html}</p>`;
}

const DECODE: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ', apos: "'" };

/** What `display_as=plaintext` does to bodies and subjects. */
export function htmlToPlain(html: string): string {
  return html
    .replace(/<br\s*\/?>|<\/p>/gi, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|nbsp|apos);/g, (_m, e: string) => DECODE[e] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}
