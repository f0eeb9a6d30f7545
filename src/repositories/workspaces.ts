import { sql, type Selectable } from 'kysely';
import type { Db } from '../db/connection';
import type { WorkspacesTable } from '../db/schema';
import { upsertGate } from './gates';
import type { ErrorClass, GateReason, Region, SyncStatus } from '../workspaceTypes';

export type Workspace = Selectable<WorkspacesTable>;

export interface WorkspaceInput {
  id: string;
  name: string;
  region: Region;
  status: SyncStatus;
  connectedAt: Date;
}

/**
 * On a re-connect, name and region follow Intercom; connected_at keeps the first connection
 * (the backfill's anchor) and status stays with the running workflow, which owns it.
 */
export async function upsertWorkspace(db: Db, w: WorkspaceInput): Promise<Workspace> {
  return db
    .insertInto('workspaces')
    .values({ id: w.id, name: w.name, region: w.region, status: w.status, connected_at: w.connectedAt, updated_at: sql<Date>`now()` })
    .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), region: eb.ref('excluded.region'), updated_at: sql<Date>`now()` })))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface WorkspaceError {
  /** In words; null clears it. */
  lastError: string | null;
  errorClass: ErrorClass | null;
}

/** Returns false when no such workspace exists. `error` is left as it is when omitted. */
export async function setWorkspaceStatus(db: Db, id: string, status: SyncStatus, error?: WorkspaceError): Promise<boolean> {
  const result = await db
    .updateTable('workspaces')
    .set({ status, updated_at: sql<Date>`now()`, ...(error ? { last_error: error.lastError, error_class: error.errorClass } : {}) })
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export interface StatusMirrorWrite {
  status: SyncStatus;
  gateReason: GateReason | null;
  /** Absent: the stored error is left as it is (older workflows). */
  error?: WorkspaceError;
  backfill?: BackfillMirror;
  /** The workflow's time of this write: one older than the last that landed changes nothing. */
  asOfMs: number;
}

/**
 * The workflow's status mirror, gate included, in one transaction ordered by the workflow's time:
 * a late attempt of an older write (its activity timed out, the retry landed first) is dropped,
 * so it cannot bring back an older status or reopen a gate a newer write closed. Returns whether
 * it was applied. Without a workspace row only the gate is written, as the gate has no owner row.
 */
export async function writeStatusMirror(db: Db, id: string, w: StatusMirrorWrite): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('workspaces').select('mirror_as_of_ms').where('id', '=', id).forUpdate().executeTakeFirst();
    if (row && row.mirror_as_of_ms !== null && Number(row.mirror_as_of_ms) > w.asOfMs) return false;
    await upsertGate(trx, id, w.gateReason);
    if (!row) return true;
    await trx
      .updateTable('workspaces')
      .set({
        status: w.status,
        mirror_as_of_ms: w.asOfMs,
        updated_at: sql<Date>`now()`,
        ...(w.error ? { last_error: w.error.lastError, error_class: w.error.errorClass } : {}),
        ...(w.backfill ? { backfill_percent: w.backfill.percent, backfill_stored: w.backfill.stored, backfill_eta_seconds: w.backfill.etaSeconds } : {}),
      })
      .where('id', '=', id)
      .execute();
    return true;
  });
}

/** The agent-state poller's last successful poll; an older time never overwrites a newer one. */
export async function recordAgentPoll(db: Db, id: string, at: Date): Promise<void> {
  await db
    .updateTable('workspaces')
    .set({ agents_polled_at: at })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('agents_polled_at', 'is', null), eb('agents_polled_at', '<', at)]))
    .execute();
}

export async function getWorkspace(db: Db, id: string): Promise<Workspace | undefined> {
  return db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listWorkspaces(db: Db): Promise<Workspace[]> {
  return db.selectFrom('workspaces').selectAll().orderBy('id').execute();
}

/** The default loop's last successful run (the console's card); an older time never overwrites a newer one. */
export async function recordDefaultRun(db: Db, id: string, at: Date): Promise<void> {
  await db
    .updateTable('workspaces')
    .set({ last_default_run_at: at })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_default_run_at', 'is', null), eb('last_default_run_at', '<', at)]))
    .execute();
}

export interface BackfillMirror {
  percent: number;
  stored: number;
  etaSeconds: number | null;
}

/** The backfill's progress as the workflow last mirrored it with its status (the console's card). */
export async function setBackfillMirror(db: Db, id: string, p: BackfillMirror): Promise<void> {
  await db.updateTable('workspaces').set({ backfill_percent: p.percent, backfill_stored: p.stored, backfill_eta_seconds: p.etaSeconds }).where('id', '=', id).execute();
}
