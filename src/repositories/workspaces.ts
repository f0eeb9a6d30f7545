import { sql, type Selectable } from 'kysely';
import type { Db } from '../db/connection';
import type { WorkspacesTable } from '../db/schema';

export type Workspace = Selectable<WorkspacesTable>;

export interface WorkspaceInput {
  id: string;
  name: string;
  region: string;
  status: string;
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

/** Returns false when no such workspace exists. */
export async function setWorkspaceStatus(db: Db, id: string, status: string): Promise<boolean> {
  const result = await db.updateTable('workspaces').set({ status, updated_at: sql<Date>`now()` }).where('id', '=', id).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function getWorkspace(db: Db, id: string): Promise<Workspace | undefined> {
  return db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listWorkspaces(db: Db): Promise<Workspace[]> {
  return db.selectFrom('workspaces').selectAll().orderBy('id').execute();
}
