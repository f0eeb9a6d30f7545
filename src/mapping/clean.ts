import type { TicketWithEvents } from './ticket';

// What a record must look like before it is written: text Postgres accepts, a bounded subject, and
// times that can be true. Strings are cleaned where rows are built; a record whose times cannot
// be true is rejected whole (sync_errors), because a row with a wrong time misleads a forecast.

/** Longest subject stored, in UTF-16 code units (characters, for all but rare scripts); longer ones are cut. */
export const SUBJECT_MAX_CHARS = 1_000;

/** The earliest time a record may carry: 2000-01-01T00:00:00Z (Intercom started in 2011). */
export const EARLIEST_MS = Date.UTC(2000, 0, 1);
/** How far past the sync's own clock a record's time may be: clocks differ, by less than this. */
export const FUTURE_SLACK_MS = 86_400_000;

// NUL, which Postgres refuses in text (22021), and the other C0 controls and DEL, which are never
// meant as text; tab, line feed and carriage return are whitespace and collapse with it.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
// A surrogate without its pair is not a character: UTF-8 cannot encode it (Node would send U+FFFD).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text Postgres stores as given: control characters dropped, lone surrogates as U+FFFD. */
export function cleanDbText(text: string): string {
  return text.replace(CONTROL, '').replace(LONE_SURROGATE, '\uFFFD');
}

export function cleanDbTextOrNull(text: string | null | undefined): string | null {
  return text === null || text === undefined ? null : cleanDbText(text);
}

/** At most `max` code units, never half of a surrogate pair. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/**
 * A subject as stored: clean text, whitespace collapsed, at most SUBJECT_MAX_CHARS; empty counts
 * as absent. Only the first few times the cap is examined, so a subject of megabytes costs little.
 */
export function cleanSubject(subject: string | null | undefined): string | null {
  if (subject === null || subject === undefined) return null;
  const text = cleanDbText(subject.slice(0, SUBJECT_MAX_CHARS * 8))
    .replace(/\s+/g, ' ')
    .trim();
  const capped = capText(text, SUBJECT_MAX_CHARS).trimEnd();
  return capped === '' ? null : capped;
}

/** Why a time cannot be true (not a date, before 2000, more than a day ahead of `nowMs`), or null. */
export function timeProblem(field: string, at: Date, nowMs: number): string | null {
  const ms = at.getTime();
  if (!Number.isFinite(ms)) return `${field} is out of any representable range (more than 270,000 years from 1970)`;
  const shown = `${ms / 1000} (${at.toISOString()})`;
  if (ms % 1000 !== 0) return `${field} ${shown} is not a whole number of seconds`;
  if (ms < EARLIEST_MS) return `${field} ${shown} is before 2000-01-01`;
  if (ms > nowMs + FUTURE_SLACK_MS) return `${field} ${shown} is more than a day in the future`;
  return null;
}

/**
 * The first time in a ticket row (every Date column but synced_at, and its status events) that
 * cannot be true, in words naming the field and the value; null when all can be. Every Date column
 * is checked, so columns added later are covered too.
 */
export function ticketTimeProblem(row: TicketWithEvents, nowMs: number): string | null {
  for (const [field, value] of Object.entries(row.ticket)) {
    if (field === 'synced_at' || !(value instanceof Date)) continue;
    const problem = timeProblem(field, value, nowMs);
    if (problem) return problem;
  }
  for (const e of row.events) {
    const problem = timeProblem(`status event ${e.part_id} occurred_at`, e.occurred_at instanceof Date ? e.occurred_at : new Date(e.occurred_at), nowMs);
    if (problem) return problem;
  }
  return null;
}

/** A Unix time (seconds) that can be true: a whole number between 2000 and a day past `nowMs`. */
export function isPlausibleUnixSec(sec: number, nowMs: number): boolean {
  return Number.isInteger(sec) && sec * 1000 >= EARLIEST_MS && sec * 1000 <= nowMs + FUTURE_SLACK_MS;
}
