import type { SimConversation } from './types';

/**
 * Per-conversation poison: a GET /conversations/{id} answer that fits the contract but carries a
 * value a naive sync would choke on. Served the same way on every request until undone; search
 * results are left as they are (the sync reads subjects and times from the detail).
 * - `nul_subject`: NUL characters inside the subject (Postgres refuses them in text: 22021);
 * - `oversized_subject`: the subject followed by a space and `oversizedChars` × "x";
 * - `bad_timestamp`: created_at in year ~318,857 (an integer, so it passes the schema; beyond
 *   JavaScript dates and Postgres timestamps).
 */
export type PoisonKind = 'nul_subject' | 'oversized_subject' | 'bad_timestamp';

export const POISON_KINDS: readonly PoisonKind[] = ['nul_subject', 'oversized_subject', 'bad_timestamp'];

/** 2 MiB: far beyond any column, under a detail-body byte cap of a few MiB. */
export const DEFAULT_OVERSIZED_CHARS = 2 << 20;
export const BAD_TIMESTAMP_SEC = 10_000_000_000_000;

export interface Poison {
  kind: PoisonKind;
  /** oversized_subject only: characters added. */
  oversizedChars?: number;
}

export function poisonConversation(c: SimConversation, p: Poison): SimConversation {
  const subject = c.source.subject;
  switch (p.kind) {
    case 'nul_subject':
      return { ...c, source: { ...c.source, subject: `\u0000${subject.slice(0, 1)}\u0000${subject.slice(1)}\u0000` } };
    case 'oversized_subject':
      return { ...c, source: { ...c.source, subject: `${subject} ${'x'.repeat(p.oversizedChars ?? DEFAULT_OVERSIZED_CHARS)}` } };
    case 'bad_timestamp':
      return { ...c, created_at: BAD_TIMESTAMP_SEC };
  }
}
