import type { Insertable } from 'kysely';
import type { AgentsTable, QueuesTable, TeamsTable } from '../db/schema';
import type { Admin, Tag, Team } from '../intercom/schemas';

export type AgentState = 'available' | 'away';

export interface AgentStateObservation {
  adminId: string;
  state: AgentState;
  reassign: boolean;
}

/** Every Intercom admin is a standard agent. */
export function toAgentRow(workspaceId: string, a: Admin, syncedAt: Date): Insertable<AgentsTable> {
  return { workspace_id: workspaceId, admin_id: a.id, name: a.name ?? null, email: a.email ?? null, role: 'standard', team_ids: a.team_ids ?? [], synced_at: syncedAt };
}

export function toAgentState(a: Admin): AgentStateObservation {
  return { adminId: a.id, state: a.away_mode_enabled ? 'away' : 'available', reassign: a.away_mode_reassign === true };
}

export function toTeamRow(workspaceId: string, t: Team, syncedAt: Date): Insertable<TeamsTable> {
  return { workspace_id: workspaceId, team_id: t.id, name: t.name, admin_ids: t.admin_ids ?? [], synced_at: syncedAt };
}

/** Tags are queues. */
export function toQueueRow(workspaceId: string, t: Tag, syncedAt: Date): Insertable<QueuesTable> {
  return { workspace_id: workspaceId, tag_id: t.id, name: t.name, synced_at: syncedAt };
}
