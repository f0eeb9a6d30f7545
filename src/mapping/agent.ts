import type { Insertable } from 'kysely';
import type { AgentsTable } from '../db/schema';
import type { Admin } from '../intercom/schemas';
import { cleanDbTextOrNull } from './clean';

// Callers that map the whole directory import teams and tags from here too.
export { toQueueRow, toTeamRow } from './catalog';

export type AgentState = 'available' | 'away';

export interface AgentStateObservation {
  adminId: string;
  state: AgentState;
  /** Intercom's away_mode_reassign: whether new conversations skip this agent while away. */
  reassign: boolean;
}

/** Intercom has no roles that map to Assembled's: every admin is a standard agent. */
export const AGENT_ROLE = 'standard';

export function toAgentRow(workspaceId: string, a: Admin, syncedAt: Date): Insertable<AgentsTable> {
  return {
    workspace_id: workspaceId,
    admin_id: a.id,
    name: cleanDbTextOrNull(a.name),
    email: cleanDbTextOrNull(a.email),
    role: AGENT_ROLE,
    team_ids: (a.team_ids ?? []).map(String),
    synced_at: syncedAt,
  };
}

export function toAgentState(a: Admin): AgentStateObservation {
  return { adminId: a.id, state: a.away_mode_enabled ? 'away' : 'available', reassign: a.away_mode_reassign === true };
}
