import { sql, type Insertable } from 'kysely';
import type { Db } from '../db/connection';
import type { QueuesTable, TeamsTable } from '../db/schema';
import { inTransaction, sortedBy, uniqueBy } from './transaction';

/**
 * Teams as Intercom has them now (GET /teams is the whole list): upserted, and the workspace's
 * teams missing from the list removed. An empty list removes them all, so callers must only pass
 * a list that Intercom actually returned. Unchanged rows are not rewritten.
 */
export async function upsertTeams(db: Db, workspaceId: string, rows: readonly Insertable<TeamsTable>[]): Promise<void> {
  const teams = sortedBy(uniqueBy(rows, (r) => r.team_id), (r) => r.team_id).map((r) => ({ ...r, workspace_id: workspaceId }));
  await inTransaction(db, async (trx) => {
    await trx
      .deleteFrom('teams')
      .where('workspace_id', '=', workspaceId)
      .where(sql<boolean>`not (team_id = any(${teams.map((t) => t.team_id)}::text[]))`)
      .execute();
    if (teams.length === 0) return;
    await trx
      .insertInto('teams')
      .values(teams)
      .onConflict((oc) =>
        oc
          .columns(['workspace_id', 'team_id'])
          .doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), admin_ids: eb.ref('excluded.admin_ids'), synced_at: eb.ref('excluded.synced_at') }))
          .where(sql<boolean>`(teams.name, teams.admin_ids) is distinct from (excluded.name, excluded.admin_ids)`),
      )
      .execute();
  });
}

/** Tags are queues; the same snapshot semantics as teams. */
export async function upsertQueues(db: Db, workspaceId: string, rows: readonly Insertable<QueuesTable>[]): Promise<void> {
  const queues = sortedBy(uniqueBy(rows, (r) => r.tag_id), (r) => r.tag_id).map((r) => ({ ...r, workspace_id: workspaceId }));
  await inTransaction(db, async (trx) => {
    await trx
      .deleteFrom('queues')
      .where('workspace_id', '=', workspaceId)
      .where(sql<boolean>`not (tag_id = any(${queues.map((q) => q.tag_id)}::text[]))`)
      .execute();
    if (queues.length === 0) return;
    await trx
      .insertInto('queues')
      .values(queues)
      .onConflict((oc) =>
        oc
          .columns(['workspace_id', 'tag_id'])
          .doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), synced_at: eb.ref('excluded.synced_at') }))
          .where(sql<boolean>`queues.name is distinct from excluded.name`),
      )
      .execute();
  });
}
