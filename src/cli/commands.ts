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

export interface StatusRow {
  id: string;
  name: string;
  view: WorkspaceStatusView | null;
  /** The poller's last successful poll as Postgres has it (it moves while the long poller activity runs). */
  agentsPolledAt?: number | null;
}

export function statusTable(rows: StatusRow[]): string {
  const header = ['WORKSPACE', 'NAME', 'STATUS', 'BACKFILL', 'STORED', 'ETA', 'DEFAULT', 'AGENTS', 'LAST ERROR'];
  const lines = rows.map(({ id, name, view, agentsPolledAt }) => {
    if (!view) return [id, name, 'no workflow', '-', '-', '-', '-', '-', '-'];
    const b = view.jobs.backfill;
    // The workflow's own summary (stale errors cleared by a reauthorization); older workflows lack it.
    const err =
      (view.lastError !== undefined ? view.lastError : (b.lastError ?? view.jobs.default.lastError ?? view.jobs.agent_states.lastError ?? view.jobs.catalog.lastError)) ?? '';
    const polled = Math.max(view.jobs.agent_states.lastSuccessAt ?? 0, agentsPolledAt ?? 0);
    return [
      id,
      name,
      view.status,
      `${b.done ? 100 : b.percent}%`,
      String(b.conversationsStored),
      b.etaSeconds === null ? '-' : `${b.etaSeconds}s`,
      ago(view.jobs.default.lastSuccessAt),
      ago(polled || null),
      err.slice(0, 60),
    ];
  });
  const all = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

export async function statusOfAll(client: Client, db: Db, only?: string): Promise<string> {
  const workspaces = (await listWorkspaces(db)).filter((w) => !only || w.id === only);
  if (only && workspaces.length === 0) throw new Error(`no workspace with id ${only}`);
  const rows = await Promise.all(
    workspaces.map(async (w) => ({ id: w.id, name: w.name, view: await workspaceStatus(client, w.id), agentsPolledAt: w.agents_polled_at?.getTime() ?? null })),
  );
  return statusTable(rows);
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
