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
    // Sorted: Intercom's order carries no meaning, and a stable one makes "changed" mean changed.
    team_ids: [...new Set((a.team_ids ?? []).map(String))].sort(),
    synced_at: syncedAt,
  };
}

export function toAgentState(a: Admin): AgentStateObservation {
  return { adminId: a.id, state: a.away_mode_enabled ? 'away' : 'available', reassign: a.away_mode_reassign === true };
}

/**
 * What of the admin list the directory keeps (ids, names, emails, team membership), as one string:
 * two polls with the same fingerprint need no write. Away mode is not part of it (agent_states).
 */
export function directoryFingerprint(admins: readonly Admin[]): string {
  return JSON.stringify(
    admins
      .map((a) => [a.id, a.name ?? null, a.email ?? null, [...new Set((a.team_ids ?? []).map(String))].sort()] as const)
      .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)),
  );
}
