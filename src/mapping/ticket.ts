import type { TicketRow, TicketStatusEventRow } from '../db/schema';
import type { Conversation } from '../intercom/schemas';
import { firstResponse } from './firstResponse';
import { statusEvents } from './statusEvents';
import { subjectOf } from './subject';

export interface TicketWithEvents {
  ticket: TicketRow;
  events: TicketStatusEventRow[];
}

const date = (unixSeconds: number) => new Date(unixSeconds * 1000);

/** Every Intercom conversation is a chat ticket; only its subject leaves Intercom's content. */
export function toTicketRow(workspaceId: string, c: Conversation, syncedAt: Date): TicketWithEvents {
  const fr = firstResponse(c);
  return {
    ticket: {
      workspace_id: workspaceId,
      conversation_id: c.id,
      created_at: date(c.created_at),
      updated_at: date(c.updated_at),
      subject: subjectOf(c),
      status: c.state,
      channel: 'chat',
      first_responded_at: fr.firstRespondedAt === null ? null : date(fr.firstRespondedAt),
      first_response_duration: fr.firstResponseDuration,
      parts_truncated: fr.partsTruncated,
      synced_at: syncedAt,
    },
    events: statusEvents(c).map((e) => ({
      workspace_id: workspaceId,
      conversation_id: c.id,
      part_id: e.partId,
      status: e.status,
      occurred_at: date(e.occurredAt),
    })),
  };
}
