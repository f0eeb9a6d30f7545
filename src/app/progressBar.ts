import type { WorkspaceStatusView } from '../../workflows/types';

export function progressBar(view: WorkspaceStatusView, width = 30): string {
  const b = view.jobs.backfill;
  const pct = b.done ? 100 : b.percent;
  const filled = Math.round((pct / 100) * width);
  const eta = b.done ? 'done' : b.etaSeconds === null ? 'eta -' : `eta ${b.etaSeconds}s`;
  return `${view.workspaceId} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct.toFixed(1).padStart(5)}%  ${b.conversationsStored} conversations  ${eta}  ${view.status}`;
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
