import { sql, type Insertable } from 'kysely';
import type { Db } from '../db/connection';
import type { AgentsTable } from '../db/schema';
import type { AgentStateObservation } from '../mapping/agent';

export async function upsertAgents(db: Db, workspaceId: string, rows: Insertable<AgentsTable>[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('agents')
    .values(rows.map((r) => ({ ...r, workspace_id: workspaceId })))
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'admin_id']).doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        email: eb.ref('excluded.email'),
        role: eb.ref('excluded.role'),
        team_ids: eb.ref('excluded.team_ids'),
        synced_at: eb.ref('excluded.synced_at'),
      }))
      // synced_at records the last change: an unchanged agent is not rewritten.
      .where(sql<boolean>`(agents.name, agents.email, agents.role, agents.team_ids) is distinct from (excluded.name, excluded.email, excluded.role, excluded.team_ids)`),
    )
    .execute();
}

/**
 * Records one poll of agent states in a single statement: `agent_states` keeps the current state
 * (its `since` moves only when the state changes) and `agent_state_events` gets one row per
 * change, never one per poll; `observed_at` says when the state was last confirmed (to the
 * minute). Returns the admins whose state changed.
 */
export async function recordAgentStates(db: Db, workspaceId: string, states: AgentStateObservation[], observedAt: Date): Promise<string[]> {
  if (states.length === 0) return [];
  const at = observedAt.toISOString();
  const result = await sql<{ admin_id: string }>`
    with incoming as (
      select * from unnest(${states.map((s) => s.adminId)}::text[], ${states.map((s) => s.state)}::text[], ${states.map((s) => s.reassign)}::boolean[])
        as i(admin_id, state, reassign)
    ),
    changed as (
      select i.* from incoming i
      left join agent_states a on a.workspace_id = ${workspaceId} and a.admin_id = i.admin_id
      where a.admin_id is null or a.state <> i.state or a.reassign <> i.reassign
    ),
    upserted as (
      insert into agent_states (workspace_id, admin_id, state, reassign, since, observed_at)
      select ${workspaceId}, i.admin_id, i.state, i.reassign, ${at}::timestamptz, ${at}::timestamptz from incoming i
      on conflict (workspace_id, admin_id) do update set
        state = excluded.state,
        reassign = excluded.reassign,
        since = case when (agent_states.state, agent_states.reassign) is distinct from (excluded.state, excluded.reassign)
                     then excluded.since else agent_states.since end,
        observed_at = excluded.observed_at
      -- An unchanged state refreshes observed_at at most once a minute: 15-second polls of a
      -- large fleet would otherwise rewrite every row every tick.
      where (agent_states.state, agent_states.reassign) is distinct from (excluded.state, excluded.reassign)
         or agent_states.observed_at < excluded.observed_at - interval '1 minute'
    ),
    events as (
      insert into agent_state_events (workspace_id, admin_id, state, reassign, started_at)
      select ${workspaceId}, c.admin_id, c.state, c.reassign, ${at}::timestamptz from changed c
      on conflict do nothing
    )
    select admin_id from changed
  `.execute(db);
  return result.rows.map((r) => r.admin_id);
}
