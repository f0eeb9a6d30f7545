import { sql } from 'kysely';
import type { Db } from '../db/connection';

/**
 * Records a webhook's request to run the workspace's default job early. Returns true only for
 * the request that flips `wake_pending` false → true (or creates the row): that one request
 * signals the workflow; a burst of webhooks before the run starts costs one signal, whichever
 * server process receives them. Returns false for a workspace we do not know.
 */
export async function requestWake(db: Db, workspaceId: string): Promise<boolean> {
  const inserted = await sql<{ workspace_id: string }>`
    insert into workspace_wakes (workspace_id, wake_pending, wake_requested_at)
    select id, true, now() from workspaces where id = ${workspaceId}
    on conflict (workspace_id) do nothing
    returning workspace_id
  `.execute(db);
  if (inserted.rows.length > 0) return true;
  // Under READ COMMITTED a concurrent flip makes Postgres re-check the WHERE on the new row
  // version: of any number of simultaneous requests, exactly one sees wake_pending = false.
  const flipped = await db
    .updateTable('workspace_wakes')
    .set({ wake_pending: true, wake_requested_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
    .where('workspace_id', '=', workspaceId)
    .where('wake_pending', '=', false)
    .returning('workspace_id')
    .execute();
  return flipped.length > 0;
}

/** The default run starts: webhooks from now on ask for another run. */
export async function clearWake(db: Db, workspaceId: string): Promise<void> {
  await db.updateTable('workspace_wakes').set({ wake_pending: false, updated_at: sql<Date>`now()` }).where('workspace_id', '=', workspaceId).where('wake_pending', '=', true).execute();
}

/** A wake whose signal could not be sent is withdrawn, so the next webhook tries again. */
export async function withdrawWake(db: Db, workspaceId: string): Promise<void> {
  await clearWake(db, workspaceId);
}
