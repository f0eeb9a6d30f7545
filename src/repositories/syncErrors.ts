import { sql } from 'kysely';
import type { Db } from '../db/connection';
import { cleanDbText } from '../mapping/clean';

/**
 * Records (or re-records) a conversation that could not be read or written; attempts add up across
 * runs. The id and the problem are cleaned (clean.ts) so that recording a bad record cannot fail the
 * way the record did.
 */
export async function recordSyncError(db: Db, workspaceId: string, conversationId: string, problem: string, attempts: number): Promise<void> {
  await db
    .insertInto('sync_errors')
    .values({ workspace_id: workspaceId, conversation_id: cleanDbText(conversationId), problem: cleanDbText(problem).slice(0, 2_000), attempts })
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'conversation_id']).doUpdateSet((eb) => ({
        problem: eb.ref('excluded.problem'),
        attempts: sql<number>`sync_errors.attempts + excluded.attempts`,
        last_seen_at: sql<Date>`now()`,
      })),
    )
    .execute();
}

/** Whether the workspace has any recorded failures, so that the common case skips clearSyncErrors. */
export async function hasSyncErrors(db: Db, workspaceId: string): Promise<boolean> {
  const row = await db.selectFrom('sync_errors').select('conversation_id').where('workspace_id', '=', workspaceId).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Forgets failures of conversations that have now been stored. */
export async function clearSyncErrors(db: Db, workspaceId: string, conversationIds: readonly string[]): Promise<void> {
  if (conversationIds.length === 0) return;
  await db.deleteFrom('sync_errors').where('workspace_id', '=', workspaceId).where('conversation_id', 'in', conversationIds).execute();
}

export async function countSyncErrors(db: Db, workspaceId: string): Promise<number> {
  const row = await db.selectFrom('sync_errors').select((eb) => eb.fn.countAll<string>().as('n')).where('workspace_id', '=', workspaceId).executeTakeFirstOrThrow();
  return Number(row.n);
}
