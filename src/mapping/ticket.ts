import type { TicketRow, TicketStatusEventRow } from '../db/schema';
import type { Conversation } from '../intercom/schemas';
import { firstResponse } from './firstResponse';
import { statusEvents } from './statusEvents';
import { cleanDbTextOrNull } from './clean';
import { subjectOf, type SubjectFormat } from './subject';

export interface TicketWithEvents {
  ticket: TicketRow;
  events: TicketStatusEventRow[];
}

export interface TicketOptions {
  /** How the conversation was fetched; the client uses `display_as=plaintext`. */
  subjectFormat?: SubjectFormat;
}

export const CHANNEL = 'chat';

/**
 * Stored in tickets.mapping_version. 1: rows written before attribution (assignee, team, queues,
 * responder, source, priority); 2: with it. A refetch of rows below the current version fills them.
 */
export const MAPPING_VERSION = 2;

/** An Intercom id, or null for none; 0 is how Intercom names a removed or absent teammate, never a real id. */
export function optionalId(v: string | null | undefined): string | null {
  const id = cleanDbTextOrNull(v);
  return id === null || id === '' || id === '0' ? null : id;
}

export function tagIdsOf(c: Pick<Conversation, 'tags'>): string[] {
  const ids = (c.tags?.tags ?? []).map((t) => optionalId(t.id)).filter((id): id is string => id !== null);
  return [...new Set(ids)].sort();
}

export const fromUnix = (unixSeconds: number): Date => new Date(unixSeconds * 1000);

/**
 * A conversation as a chat ticket. Of its content only the subject is kept: no bodies, no
 * contacts. `status` is the conversation's current state; the history comes from its parts.
 * Attribution is what Intercom says now: assignee admin and team, tags (queues), source and
 * priority; the first responder comes with the first-response rule (firstResponse.ts).
 */
export function toTicketRow(workspaceId: string, c: Conversation, syncedAt: Date, options: TicketOptions = {}): TicketWithEvents {
  const fr = firstResponse(c);
  return {
    ticket: {
      workspace_id: workspaceId,
      conversation_id: c.id,
      created_at: fromUnix(c.created_at),
      updated_at: fromUnix(c.updated_at),
      subject: subjectOf(c, options.subjectFormat),
      status: c.state,
      channel: CHANNEL,
      first_responded_at: fr.firstRespondedAt === null ? null : fromUnix(fr.firstRespondedAt),
      first_response_duration: fr.firstResponseDuration,
      parts_truncated: fr.partsTruncated,
      synced_at: syncedAt,
      assignee_admin_id: optionalId(c.admin_assignee_id),
      team_id: optionalId(c.team_assignee_id),
      first_responder_admin_id: fr.firstResponderAdminId,
      source_type: cleanDbTextOrNull(c.source?.type),
      source_delivered_as: cleanDbTextOrNull(c.source?.delivered_as),
      priority: cleanDbTextOrNull(c.priority),
      tag_ids: tagIdsOf(c),
      mapping_version: MAPPING_VERSION,
    },
    events: statusEvents(c).map((e) => ({
      workspace_id: workspaceId,
      conversation_id: c.id,
      part_id: e.partId,
      status: e.status,
      occurred_at: fromUnix(e.occurredAt),
    })),
  };
}
