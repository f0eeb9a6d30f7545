import type { Db } from '../db/connection';
import { agentRoster, contactsPerDayBy, type DayBreakdown } from '../repositories/verify';

/** Columns shown per breakdown; the rest are summed into "other". */
const MAX_COLUMNS = 8;

function breakdownTable(title: string, b: DayBreakdown): string[] {
  if (b.slices.length === 0) return [`${title}: no contacts`];
  const shown = b.slices.slice(0, MAX_COLUMNS);
  const rest = b.slices.length - shown.length;
  const heads = [...shown.map((s) => (s.removed ? `${s.name} (removed)` : s.name)), ...(rest > 0 ? [`other (${rest})`] : [])];
  const widths = heads.map((h) => Math.max(6, h.length));
  const lines = [title, `  ${'day'.padEnd(10)}  ${heads.map((h, i) => h.padStart(widths[i] ?? 6)).join('  ')}`];
  for (const d of b.days) {
    const cells = [...d.counts.slice(0, shown.length), ...(rest > 0 ? [d.counts.slice(shown.length).reduce((n, c) => n + c, 0)] : [])];
    lines.push(`  ${d.day}  ${cells.map((c, i) => String(c).padStart(widths[i] ?? 6)).join('  ')}`);
  }
  return lines;
}

/**
 * The verify report's attribution sections: contacts per day per queue and per team (deleted
 * conversations excluded) and the agent roster (listed, removed, hires with their state).
 */
export async function attributionSections(db: Db, workspaceId: string, days: number): Promise<string[]> {
  const [queues, teams, roster] = await Promise.all([
    contactsPerDayBy(db, workspaceId, 'queue', days),
    contactsPerDayBy(db, workspaceId, 'team', days),
    agentRoster(db, workspaceId, days),
  ]);
  const lines = [
    ...breakdownTable(`Contacts per day per queue (tag; a contact with several tags counts in each), last ${days} days:`, queues),
    ...breakdownTable(`Contacts per day per team (assigned team), last ${days} days:`, teams),
    `Agents: ${roster.listed} listed by Intercom, ${roster.removed} removed (kept for history, not counted above)`,
  ];
  if (roster.recent.length > 0) {
    lines.push(`New agents (hired in the last ${days} days):`);
    for (const a of roster.recent) lines.push(`  ${a.firstSeenAt.toISOString().slice(0, 16).replace('T', ' ')}  ${(a.name ?? a.adminId).padEnd(24)} ${a.state ?? '(no state yet)'}`);
  }
  return lines;
}
