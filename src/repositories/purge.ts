import { sql } from 'kysely';
import type { Db } from '../db/connection';

export class PurgeRefusedError extends Error {
  override name = 'PurgeRefusedError';
}

/** Rows deleted per table. */
export type PurgeCounts = Record<string, number>;

/**
 * Deletes every row of a disconnected workspace: each table with a workspace_id column (found in the catalog, so a
 * table added later is covered too), then the workspace itself, in one transaction. Refused while the workspace is
 * not Disconnected or still has a stored token: its workflow would write the rows again.
 */
export async function purgeWorkspace(db: Db, workspaceId: string): Promise<PurgeCounts> {
  return db.transaction().execute(async (trx) => {
    const ws = await trx.selectFrom('workspaces').select(['id', 'status']).where('id', '=', workspaceId).forUpdate().executeTakeFirst();
    if (!ws) throw new PurgeRefusedError(`no workspace with id ${workspaceId}`);
    if (ws.status !== 'Disconnected') {
      throw new PurgeRefusedError(`workspace ${workspaceId} is "${ws.status}", not Disconnected: disconnect it first (npm run cli -- disconnect ${workspaceId}); nothing was deleted`);
    }
    const token = await trx.selectFrom('intercom_credentials').select('workspace_id').where('workspace_id', '=', workspaceId).executeTakeFirst();
    if (token) throw new PurgeRefusedError(`workspace ${workspaceId} still has a stored token: disconnect it first (npm run cli -- disconnect ${workspaceId}); nothing was deleted`);
    const tables = await sql<{ table_name: string }>`
      select c.table_name from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
      where c.column_name = 'workspace_id' and c.table_schema = current_schema()
      order by c.table_name`.execute(trx);
    const counts: PurgeCounts = {};
    for (const { table_name } of tables.rows) {
      const r = await sql`delete from ${sql.table(table_name)} where workspace_id = ${workspaceId}`.execute(trx);
      counts[table_name] = Number(r.numAffectedRows ?? 0n);
    }
    const w = await trx.deleteFrom('workspaces').where('id', '=', workspaceId).executeTakeFirst();
    counts['workspaces'] = Number(w.numDeletedRows);
    return counts;
  });
}
