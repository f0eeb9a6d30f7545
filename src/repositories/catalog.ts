import { sql, type Insertable } from 'kysely';
import type { Db } from '../db/connection';
import type { QueuesTable, TeamsTable } from '../db/schema';

/** Teams as Intercom has them now: changed ones upserted (synced_at = last change), deleted ones removed. */
export async function upsertTeams(db: Db, workspaceId: string, rows: Insertable<TeamsTable>[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    let removal = trx.deleteFrom('teams').where('workspace_id', '=', workspaceId);
    if (rows.length) removal = removal.where('team_id', 'not in', rows.map((r) => r.team_id));
    await removal.execute();
    if (rows.length === 0) return;
    await trx
      .insertInto('teams')
      .values(rows)
      .onConflict((oc) =>
        oc
          .columns(['workspace_id', 'team_id'])
          .doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), admin_ids: eb.ref('excluded.admin_ids'), synced_at: eb.ref('excluded.synced_at') }))
          .where(sql<boolean>`(teams.name, teams.admin_ids) is distinct from (excluded.name, excluded.admin_ids)`),
      )
      .execute();
  });
}

/** Tags are queues; same replace-by-snapshot semantics as teams. */
export async function upsertQueues(db: Db, workspaceId: string, rows: Insertable<QueuesTable>[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    let removal = trx.deleteFrom('queues').where('workspace_id', '=', workspaceId);
    if (rows.length) removal = removal.where('tag_id', 'not in', rows.map((r) => r.tag_id));
    await removal.execute();
    if (rows.length === 0) return;
    await trx
      .insertInto('queues')
      .values(rows)
      .onConflict((oc) =>
        oc
          .columns(['workspace_id', 'tag_id'])
          .doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), synced_at: eb.ref('excluded.synced_at') }))
          .where(sql<boolean>`queues.name is distinct from excluded.name`),
      )
      .execute();
  });
}
