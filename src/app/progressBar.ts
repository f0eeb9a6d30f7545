import type { WorkspaceStatusView } from '../../workflows/types';

export function progressBar(view: WorkspaceStatusView, width = 30): string {
  const b = view.jobs.backfill;
  const pct = b.done ? 100 : b.percent;
  const filled = Math.round((pct / 100) * width);
  const eta = b.done ? 'done' : b.etaSeconds === null ? 'eta -' : `eta ${b.etaSeconds}s`;
  return `${view.workspaceId} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct.toFixed(1).padStart(5)}%  ${b.conversationsStored} conversations  ${eta}  ${view.status}   `;
}
