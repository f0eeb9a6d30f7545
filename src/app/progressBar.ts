import type { StatusRow } from '../cli/commands';

/** One line of `npm start`'s progress, from the workspace's Postgres mirror (progress moves in 10 % steps). */
export function progressBar(row: StatusRow, width = 30): string {
  const pct = row.backfillPercent ?? 0;
  const filled = Math.round((Math.min(100, pct) / 100) * width);
  const eta = pct >= 100 ? 'done' : row.etaSeconds === null ? 'eta -' : `eta ${row.etaSeconds}s`;
  return `${row.id} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}%  ${row.stored ?? 0} conversations  ${eta}  ${row.status}`;
}

/**
 * A line redrawn in place with `\r`: each redraw pads with spaces over whatever a longer previous
 * line left (a terminal only overwrites the characters it is sent), then returns the cursor to
 * the end of the text. Works on any terminal, no escape sequences.
 */
export class ProgressLine {
  private previous = 0;

  render(text: string): string {
    const pad = Math.max(0, this.previous - text.length);
    this.previous = text.length;
    return `\r${text}${' '.repeat(pad)}${'\b'.repeat(pad)}`;
  }
}
