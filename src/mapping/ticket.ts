import type { TicketRow, TicketStatusEventRow } from '../db/schema';
import type { Conversation } from '../intercom/schemas';
import { firstResponse } from './firstResponse';
import { statusEvents } from './statusEvents';
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

export const fromUnix = (unixSeconds: number): Date => new Date(unixSeconds * 1000);

/**
 * A conversation as a chat ticket. Of its content only the subject is kept: no bodies, no
 * contacts. `status` is the conversation's current state; the history comes from its parts.
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
