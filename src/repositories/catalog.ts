import { sql, type Insertable } from 'kysely';
import type { Db } from '../db/connection';
import type { QueuesTable, TeamsTable } from '../db/schema';
import type { TeamMove } from './agents';
import { inTransaction, isoOrNull, sortedBy, uniqueBy } from './transaction';

/** What a catalog snapshot changed: ids added (or listed again after a removal), changed, newly removed. */
export interface CatalogChange {
  added: string[];
  changed: string[];
  removed: string[];
}

/**
 * Teams as Intercom has them now (GET /teams is the whole list): upserted, and the workspace's
 * teams missing from the list marked `removed_at` (rows are kept: tickets keep pointing at them);
 * a team listed again loses its mark. An empty list marks them all, so callers must only pass a
 * list that Intercom actually returned. Unchanged rows are not rewritten.
 */
export async function upsertTeams(db: Db, workspaceId: string, rows: readonly Insertable<TeamsTable>[], now: Date = new Date()): Promise<CatalogChange> {
  const teams = sortedBy(uniqueBy(rows, (r) => r.team_id), (r) => r.team_id).map((r) => ({ ...r, workspace_id: workspaceId, removed_at: null }));
  return inTransaction(db, async (trx) => {
    const before = await liveness(trx, 'teams', 'team_id', workspaceId);
    const removed = await markRemoved(trx, 'teams', 'team_id', workspaceId, teams.map((t) => t.team_id), now);
    if (teams.length === 0) return { added: [], changed: [], removed };
    const written = await trx
      .insertInto('teams')
      .values(teams)
      .onConflict((oc) =>
        oc
          .columns(['workspace_id', 'team_id'])
          .doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), admin_ids: eb.ref('excluded.admin_ids'), synced_at: eb.ref('excluded.synced_at'), removed_at: null }))
          .where(sql<boolean>`(teams.name, teams.admin_ids, teams.removed_at is null) is distinct from (excluded.name, excluded.admin_ids, true)`),
      )
      .returning('team_id')
      .execute();
    return split(written.map((w) => w.team_id), before, removed);
  });
}

/** Tags are queues; the same snapshot semantics as teams. */
export async function upsertQueues(db: Db, workspaceId: string, rows: readonly Insertable<QueuesTable>[], now: Date = new Date()): Promise<CatalogChange> {
  const queues = sortedBy(uniqueBy(rows, (r) => r.tag_id), (r) => r.tag_id).map((r) => ({ ...r, workspace_id: workspaceId, removed_at: null }));
  return inTransaction(db, async (trx) => {
    const before = await liveness(trx, 'queues', 'tag_id', workspaceId);
    const removed = await markRemoved(trx, 'queues', 'tag_id', workspaceId, queues.map((q) => q.tag_id), now);
    if (queues.length === 0) return { added: [], changed: [], removed };
    const written = await trx
      .insertInto('queues')
      .values(queues)
      .onConflict((oc) =>
        oc
          .columns(['workspace_id', 'tag_id'])
          .doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), synced_at: eb.ref('excluded.synced_at'), removed_at: null }))
          .where(sql<boolean>`(queues.name, queues.removed_at is null) is distinct from (excluded.name, true)`),
      )
      .returning('tag_id')
      .execute();
    return split(written.map((w) => w.tag_id), before, removed);
  });
}

/** Written rows are `added` when they were absent or marked removed before, else `changed`. */
function split(written: string[], before: ReadonlyMap<string, boolean>, removed: string[]): CatalogChange {
  const added: string[] = [];
  const changed: string[] = [];
  for (const id of [...written].sort()) (before.get(id) === true ? changed : added).push(id);
  return { added, changed, removed };
}

/** id → whether the row is live (not removed), before a snapshot is applied. */
async function liveness(trx: Db, table: 'teams' | 'queues', key: 'team_id' | 'tag_id', workspaceId: string): Promise<Map<string, boolean>> {
  const rows = await sql<{ id: string; live: boolean }>`
    select ${sql.ref(key)} as id, removed_at is null as live from ${sql.table(table)} where workspace_id = ${workspaceId}`.execute(trx);
  return new Map(rows.rows.map((r) => [r.id, r.live]));
}

async function markRemoved(trx: Db, table: 'teams' | 'queues', key: 'team_id' | 'tag_id', workspaceId: string, listed: string[], now: Date): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    update ${sql.table(table)} set removed_at = ${isoOrNull(now)}::timestamptz
    where workspace_id = ${workspaceId} and removed_at is null and not (${sql.ref(key)} = any(${listed}::text[]))
    returning ${sql.ref(key)} as id`.execute(trx);
  return rows.rows.map((r) => r.id).sort();
}

/**
 * Team and tag ids the workspace has ever had, removed ones included: a ticket naming another one
 * calls for a refresh. (A removed tag still on old conversations is known: reading the list again
 * would not bring it back.)
 */
export async function knownCatalogIds(db: Db, workspaceId: string): Promise<{ teamIds: Set<string>; tagIds: Set<string> }> {
  const [teams, tags] = await Promise.all([
    db.selectFrom('teams').select('team_id').where('workspace_id', '=', workspaceId).execute(),
    db.selectFrom('queues').select('tag_id').where('workspace_id', '=', workspaceId).execute(),
  ]);
  return { teamIds: new Set(teams.map((t) => t.team_id)), tagIds: new Set(tags.map((t) => t.tag_id)) };
}

export type CatalogKind = 'teams' | 'tags';

/** When teams or tags were last read from Intercom, or null if never. */
export async function catalogRefreshedAt(db: Db, workspaceId: string, kind: CatalogKind): Promise<Date | null> {
  const row = await db.selectFrom('catalog_refreshes').select('refreshed_at').where('workspace_id', '=', workspaceId).where('kind', '=', kind).executeTakeFirst();
  return row?.refreshed_at ?? null;
}

export async function recordCatalogRefresh(db: Db, workspaceId: string, kind: CatalogKind, at: Date): Promise<void> {
  await db
    .insertInto('catalog_refreshes')
    .values({ workspace_id: workspaceId, kind, refreshed_at: at })
    .onConflict((oc) => oc.columns(['workspace_id', 'kind']).doUpdateSet({ refreshed_at: at }))
    .execute();
}

/**
 * Applies admins' team moves (seen in GET /admins) to `teams.admin_ids`, for the teams those moves
 * touch and that we have: each touched team loses the moved admins and gains those now listing it.
 * Other teams are left as GET /teams last gave them. Returns the teams rewritten, and team ids
 * we do not have (the caller refreshes the team list).
 */
export async function applyTeamMoves(db: Db, workspaceId: string, moves: readonly TeamMove[], now: Date): Promise<{ changed: string[]; unknownTeamIds: string[] }> {
  const touched = [...new Set(moves.flatMap((m) => [...(m.before ?? []), ...(m.after ?? [])]))].sort();
  if (touched.length === 0) return { changed: [], unknownTeamIds: [] };
  return inTransaction(db, async (trx) => {
    const teams = await trx
      .selectFrom('teams')
      .select(['team_id', 'admin_ids'])
      .where('workspace_id', '=', workspaceId)
      .where('removed_at', 'is', null)
      .where('team_id', 'in', touched)
      .orderBy('team_id')
      .forUpdate()
      .execute();
    const known = new Set(teams.map((t) => t.team_id));
    const unknownTeamIds = [...new Set(moves.flatMap((m) => m.after ?? []))].filter((id) => !known.has(id)).sort();
    const moved = new Set(moves.map((m) => m.adminId));
    const changed: string[] = [];
    for (const team of teams) {
      const members = new Set(team.admin_ids.filter((a) => !moved.has(a)));
      for (const m of moves) if (m.after?.includes(team.team_id)) members.add(m.adminId);
      const next = [...members].sort();
      if (next.join(',') === [...team.admin_ids].sort().join(',')) continue;
      await trx.updateTable('teams').set({ admin_ids: next, synced_at: now }).where('workspace_id', '=', workspaceId).where('team_id', '=', team.team_id).execute();
      changed.push(team.team_id);
    }
    return { changed, unknownTeamIds };
  });
}
