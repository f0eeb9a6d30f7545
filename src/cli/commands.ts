import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { disconnectUpdate, pauseUpdate, resumeUpdate, resyncUpdate, statusQuery } from '../../workflows/messages';
import { workspaceWorkflowId } from '../../workflows/ids';
import type { ResyncRequest, WorkspaceStatusView } from '../../workflows/types';
import { countSyncErrors } from '../repositories/syncErrors';
import type { Db } from '../db/connection';
import { listWorkspaces } from '../repositories/workspaces';
import { agentsByState, contactsPerDay } from '../repositories/verify';
import { attributionSections } from './verifySections';

export type Command = 'pause' | 'resume' | 'resync' | 'disconnect';

/** `--from`/`--to` of a resync (the console's date fields too): Unix seconds or a date. */
export function parseResyncTime(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const sec = /^\d+$/.test(value) ? Number(value) : Math.floor(Date.parse(value) / 1000);
  if (!Number.isFinite(sec)) throw new Error(`--${flag}: "${value}" is neither Unix seconds nor a date`);
  return sec;
}

export class CommandRejectedError extends Error {
  override name = 'CommandRejectedError';
}

/** Sends an operator command as an update; a rejection (e.g. a bad resync range) is thrown with the workflow's reason. */
export async function sendCommand(client: Client, workspaceId: string, command: Command, resync: ResyncRequest = {}): Promise<WorkspaceStatusView> {
  try {
    return await update(client, workspaceId, command, resync);
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new CommandRejectedError(`${command} rejected: ${err.cause?.message ?? err.message}`, { cause: err });
    throw err;
  }
}

function update(client: Client, workspaceId: string, command: Command, resync: ResyncRequest): Promise<WorkspaceStatusView> {
  const handle = client.workflow.getHandle(workspaceWorkflowId(workspaceId));
  switch (command) {
    case 'pause':
      return handle.executeUpdate(pauseUpdate);
    case 'resume':
      return handle.executeUpdate(resumeUpdate);
    case 'resync':
      return handle.executeUpdate(resyncUpdate, { args: [resync] });
    case 'disconnect':
      return handle.executeUpdate(disconnectUpdate);
  }
}

export async function workspaceStatus(client: Client, workspaceId: string): Promise<WorkspaceStatusView | null> {
  try {
    return await client.workflow.getHandle(workspaceWorkflowId(workspaceId)).query(statusQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

const ago = (ms: number | null) => (ms === null ? '-' : `${Math.round((Date.now() - ms) / 1000)}s ago`);

/** What `status` shows of a workspace: its Postgres mirror, written by the workflow (no billable Temporal query). */
export interface StatusRow {
  id: string;
  name: string;
  status: string;
  /** The backfill's percent as last mirrored (in 10 % steps while it runs); null before the first mirror. */
  backfillPercent: number | null;
  stored: number | null;
  etaSeconds: number | null;
  lastDefaultRunAt: number | null;
  /** The poller's last successful poll. */
  agentsPolledAt: number | null;
  lastError: string | null;
}

export function statusTable(rows: StatusRow[]): string {
  const header = ['WORKSPACE', 'NAME', 'STATUS', 'BACKFILL', 'STORED', 'ETA', 'DEFAULT', 'AGENTS', 'LAST ERROR'];
  const lines = rows.map((r) => [
    r.id,
    r.name,
    r.status,
    r.backfillPercent === null ? '-' : `${r.backfillPercent}%`,
    r.stored === null ? '-' : String(r.stored),
    r.etaSeconds === null ? '-' : `${r.etaSeconds}s`,
    ago(r.lastDefaultRunAt),
    ago(r.agentsPolledAt),
    (r.lastError ?? '').slice(0, 60),
  ]);
  const all = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

export async function statusRows(db: Db, only?: string): Promise<StatusRow[]> {
  const workspaces = (await listWorkspaces(db)).filter((w) => !only || w.id === only);
  if (only && workspaces.length === 0) throw new Error(`no workspace with id ${only}`);
  return workspaces.map((w) => ({
    id: w.id,
    name: w.name,
    status: w.status,
    backfillPercent: w.backfill_percent === null ? null : Math.floor(w.backfill_percent),
    stored: w.backfill_stored,
    etaSeconds: w.backfill_eta_seconds,
    lastDefaultRunAt: w.last_default_run_at?.getTime() ?? null,
    agentsPolledAt: w.agents_polled_at?.getTime() ?? null,
    lastError: w.last_error,
  }));
}

/** The status table, read from the Postgres mirror: a Temporal query is billable on Temporal Cloud. */
export async function statusOfAll(db: Db, only?: string): Promise<string> {
  return statusTable(await statusRows(db, only));
}

/**
 * The seed's verification step: contacts per day (overall, per queue, per team) and agents by state
 * (hires and removals named); zero or abnormal numbers are flagged. Deleted conversations are no contacts.
 */
export async function verifyReport(db: Db, workspaceId: string, days = 14): Promise<{ text: string; problems: string[] }> {
  const perDay = await contactsPerDay(db, workspaceId, days);
  const states = await agentsByState(db, workspaceId);
  const problems: string[] = [];
  const counts = perDay.map((d) => d.count);
  const sorted = [...counts].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const lines = [`Contacts per day (last ${days} days), workspace ${workspaceId}:`];
  for (const d of perDay) {
    let flag = '';
    if (d.count === 0) flag = '  <- zero';
    else if (median > 0 && (d.count > median * 3 || d.count < median / 3)) flag = '  <- abnormal (median ' + median + ')';
    if (flag) problems.push(`${d.day}: ${d.count} contacts${flag.replace('  <-', ',')}`);
    lines.push(`  ${d.day}  ${String(d.count).padStart(6)}${flag}`);
  }
  lines.push('Agents by current state:');
  const totalAgents = states.reduce((n, s) => n + s.count, 0);
  for (const s of states) lines.push(`  ${s.state.padEnd(10)} ${s.count}`);
  if (totalAgents === 0) problems.push('no agent states recorded');
  lines.push(...(await attributionSections(db, workspaceId, days)));
  const unreadable = await countSyncErrors(db, workspaceId);
  if (unreadable > 0) {
    problems.push(`${unreadable} conversation(s) passed over because Intercom's answer broke the contract (table sync_errors)`);
    lines.push(`Conversations passed over: ${unreadable} (see sync_errors; a resync retries them)`);
  }
  lines.push(problems.length ? `${problems.length} problem(s): reach out to support if this persists.` : 'OK: no zero or abnormal numbers.');
  return { text: lines.join('\n'), problems };
}
