import type { Conversation, ConversationState } from '../intercom/schemas';

/** The seed's status table: part_type → ticket status. Other part types are not status changes. */
export const STATUS_BY_PART_TYPE: Readonly<Record<string, ConversationState>> = {
  snoozed: 'snoozed',
  close: 'closed',
  unsnoozed: 'open',
  note_and_reopen: 'open',
  timer_unsnooze: 'open',
  open: 'open',
  assign_and_reopen: 'open',
};

export interface StatusEvent {
  partId: string;
  status: ConversationState;
  occurredAt: number;
}

export function statusEvents(c: Conversation): StatusEvent[] {
  const events: StatusEvent[] = [];
  for (const part of c.conversation_parts.conversation_parts) {
    const status = STATUS_BY_PART_TYPE[part.part_type];
    if (status) events.push({ partId: part.id, status, occurredAt: part.created_at });
  }
  return events;
}
