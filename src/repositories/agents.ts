import { sql, type Insertable } from 'kysely';
import type { Db } from '../db/connection';
import type { AgentsTable } from '../db/schema';
import type { AgentStateObservation } from '../mapping/agent';
import { inTransaction, isoOrNull, sortedBy, uniqueBy } from './transaction';

/** Agents as Intercom lists them; unchanged rows are not rewritten (synced_at = last change); a listed agent is not removed. */
export async function upsertAgents(db: Db, workspaceId: string, rows: readonly Insertable<AgentsTable>[]): Promise<void> {
  await upsertAgentRows(db, workspaceId, rows);
}

async function upsertAgentRows(db: Db, workspaceId: string, rows: readonly Insertable<AgentsTable>[], firstSeenAt?: Date): Promise<string[]> {
  const agents = sortedBy(uniqueBy(rows, (r) => r.admin_id), (r) => r.admin_id);
  if (agents.length === 0) return [];
  const written = await db
    .insertInto('agents')
    .values(agents.map((r) => ({ ...r, workspace_id: workspaceId, team_ids: [...r.team_ids].sort(), removed_at: null, first_seen_at: firstSeenAt ?? r.synced_at })))
    .onConflict((oc) =>
      oc
        .columns(['workspace_id', 'admin_id'])
        .doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          email: eb.ref('excluded.email'),
          role: eb.ref('excluded.role'),
          team_ids: eb.ref('excluded.team_ids'),
          synced_at: eb.ref('excluded.synced_at'),
          removed_at: null,
        }))
        .where(
          sql<boolean>`(agents.name, agents.email, agents.role, agents.team_ids, agents.removed_at is null) is distinct from (excluded.name, excluded.email, excluded.role, excluded.team_ids, true)`,
        ),
    )
    .returning('admin_id')
    .execute();
  return written.map((w) => w.admin_id);
}

/** An admin whose team membership changed: team ids before (null = not listed) and after (null = no longer listed). */
export interface TeamMove {
  adminId: string;
  before: string[] | null;
  after: string[] | null;
}

export interface AgentDirectoryChange {
  /** New admins, and admins listed again after a removal. */
  added: string[];
  /** Name, email or team membership changed. */
  changed: string[];
  /** No longer listed: marked removed_at (rows are kept; tickets keep pointing at them). */
  removed: string[];
  moves: TeamMove[];
}

/**
 * Makes `agents` what GET /admins (the whole list) says now: new admins inserted (first_seen_at),
 * changed ones updated, admins no longer listed marked `removed_at`, re-listed ones unmarked.
 * Unchanged rows are not written. Returns what changed, with the team moves (for teams.admin_ids).
 * An empty list marks every agent removed: pass only a list Intercom actually returned.
 */
export async function syncAgentDirectory(db: Db, workspaceId: string, rows: readonly Insertable<AgentsTable>[], now: Date): Promise<AgentDirectoryChange> {
  return inTransaction(db, async (trx) => {
    const stored = await trx.selectFrom('agents').select(['admin_id', 'team_ids', 'removed_at']).where('workspace_id', '=', workspaceId).forUpdate().execute();
    const before = new Map(stored.map((a) => [a.admin_id, a]));
    const listed = new Set(rows.map((r) => r.admin_id));
    const removedRows = await trx
      .updateTable('agents')
      .set({ removed_at: now })
      .where('workspace_id', '=', workspaceId)
      .where('removed_at', 'is', null)
      .where(sql<boolean>`not (admin_id = any(${[...listed]}::text[]))`)
      .returning('admin_id')
      .execute();
    const written = new Set(await upsertAgentRows(trx, workspaceId, rows, now));
    const change: AgentDirectoryChange = { added: [], changed: [], removed: removedRows.map((r) => r.admin_id).sort(), moves: [] };
    for (const r of sortedBy([...rows], (x) => x.admin_id)) {
      const old = before.get(r.admin_id);
      const live = old !== undefined && old.removed_at === null;
      if (written.has(r.admin_id)) (live ? change.changed : change.added).push(r.admin_id);
      const was = live ? [...old.team_ids].sort() : null;
      const now_ = [...r.team_ids].sort();
      if (was === null ? now_.length > 0 : was.join(',') !== now_.join(',')) change.moves.push({ adminId: r.admin_id, before: was, after: now_ });
    }
    for (const id of change.removed) {
      const old = before.get(id);
      if (old && old.team_ids.length > 0) change.moves.push({ adminId: id, before: [...old.team_ids].sort(), after: null });
    }
    return change;
  });
}

/**
 * Records one poll of agent states in one statement and returns the admins whose state changed
 * (state or reassign flag; an agent seen for the first time counts as a change).
 *
 * `agent_states` keeps the current state: `since` moves only on a change, `observed_at` on a
 * change and otherwise at most once a minute (so it tells when the state was last confirmed, to
 * the minute). `agent_state_events` gets one row per change, never one per poll. The change test runs
 * inside ON CONFLICT DO UPDATE, which sees the latest committed row even under concurrency, so
 * two overlapping polls cannot both report one change. An observation older than the stored one
 * is ignored (a delayed poll must not roll the state back), and replaying a call with the same
 * `observedAt` reports nothing: the event already exists.
 */
export async function recordAgentStates(db: Db, workspaceId: string, states: readonly AgentStateObservation[], observedAt: Date): Promise<string[]> {
  const incoming = sortedBy(uniqueBy(states, (s) => s.adminId), (s) => s.adminId);
  if (incoming.length === 0) return [];
  const at = isoOrNull(observedAt);
  const result = await sql<{ admin_id: string }>`
    with incoming as (
      select * from unnest(${incoming.map((s) => s.adminId)}::text[], ${incoming.map((s) => s.state)}::text[], ${incoming.map((s) => s.reassign)}::boolean[])
        as i(admin_id, state, reassign)
    ),
    current as (
      insert into agent_states as a (workspace_id, admin_id, state, reassign, since, observed_at)
      select ${workspaceId}, i.admin_id, i.state, i.reassign, ${at}::timestamptz, ${at}::timestamptz from incoming i
      on conflict (workspace_id, admin_id) do update set
        state = excluded.state,
        reassign = excluded.reassign,
        since = case when (a.state, a.reassign) is distinct from (excluded.state, excluded.reassign) then excluded.since else a.since end,
        observed_at = excluded.observed_at
      where a.observed_at <= excluded.observed_at
        -- An unchanged state is re-confirmed at most once a minute: 15-second polls of a large
        -- fleet would otherwise rewrite every agent row every tick.
        and ((a.state, a.reassign) is distinct from (excluded.state, excluded.reassign)
             or a.observed_at < excluded.observed_at - interval '1 minute')
      returning a.admin_id, a.state, a.reassign, a.since
    ),
    events as (
      insert into agent_state_events as e (workspace_id, admin_id, state, reassign, started_at)
      select ${workspaceId}, c.admin_id, c.state, c.reassign, c.since from current c where c.since = ${at}::timestamptz
      on conflict (workspace_id, admin_id, started_at) do update set state = excluded.state, reassign = excluded.reassign
      where (e.state, e.reassign) is distinct from (excluded.state, excluded.reassign)
      returning e.admin_id
    )
    select admin_id from events order by admin_id
  `.execute(db);
  return result.rows.map((r) => r.admin_id);
}
