import type { Insertable } from 'kysely';
import type { QueuesTable, TeamsTable } from '../db/schema';
import type { Tag, Team } from '../intercom/schemas';
import { cleanDbText } from './clean';

export function toTeamRow(workspaceId: string, t: Team, syncedAt: Date): Insertable<TeamsTable> {
  return { workspace_id: workspaceId, team_id: t.id, name: cleanDbText(t.name), admin_ids: [...new Set((t.admin_ids ?? []).map(String))].sort(), synced_at: syncedAt };
}

/** Intercom tags are Assembled queues. */
export function toQueueRow(workspaceId: string, t: Tag, syncedAt: Date): Insertable<QueuesTable> {
  return { workspace_id: workspaceId, tag_id: t.id, name: cleanDbText(t.name), synced_at: syncedAt };
}
