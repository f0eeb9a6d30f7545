import { sql } from 'kysely';
import type { Db } from '../db/connection';
import type { GateReason } from '../workspaceTypes';

/** Opens (null) or closes the workspace's request gate; `db` may be a transaction. */
export async function upsertGate(db: Db, workspaceId: string, reason: GateReason | null): Promise<void> {
  await db
    .insertInto('workspace_gates')
    .values({ workspace_id: workspaceId, blocked_reason: reason })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ blocked_reason: reason, updated_at: sql`now()` }))
    .execute();
}
