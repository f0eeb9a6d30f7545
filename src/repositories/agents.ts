import { sql, type Insertable } from 'kysely';
import type { Db } from '../db/connection';
import type { AgentsTable } from '../db/schema';
import type { AgentStateObservation } from '../mapping/agent';
import { isoOrNull, sortedBy, uniqueBy } from './transaction';

/** Agents as Intercom lists them; unchanged rows are not rewritten (synced_at = last change). */
export async function upsertAgents(db: Db, workspaceId: string, rows: readonly Insertable<AgentsTable>[]): Promise<void> {
  const agents = sortedBy(uniqueBy(rows, (r) => r.admin_id), (r) => r.admin_id);
  if (agents.length === 0) return;
  await db
    .insertInto('agents')
    .values(agents.map((r) => ({ ...r, workspace_id: workspaceId })))
    .onConflict((oc) =>
      oc
        .columns(['workspace_id', 'admin_id'])
        .doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          email: eb.ref('excluded.email'),
          role: eb.ref('excluded.role'),
          team_ids: eb.ref('excluded.team_ids'),
          synced_at: eb.ref('excluded.synced_at'),
        }))
        .where(sql<boolean>`(agents.name, agents.email, agents.role, agents.team_ids) is distinct from (excluded.name, excluded.email, excluded.role, excluded.team_ids)`),
    )
    .execute();
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
