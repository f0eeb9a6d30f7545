import type { Conversation, ConversationState } from '../intercom/schemas';
import { chronological } from './firstResponse';

/** The seed's status table: part_type → ticket status. Any other part type is not a status change. */
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
  /** Unix seconds: the part's created_at. */
  occurredAt: number;
}

export function statusOfPartType(partType: string): ConversationState | null {
  // Own keys only: a part type named "constructor" must not find Object.prototype's.
  return Object.hasOwn(STATUS_BY_PART_TYPE, partType) ? (STATUS_BY_PART_TYPE[partType] ?? null) : null;
}

/** One event per status-changing part, keyed by part id, in time order. */
export function statusEvents(c: Pick<Conversation, 'conversation_parts'>): StatusEvent[] {
  const events: StatusEvent[] = [];
  for (const part of chronological(c.conversation_parts.conversation_parts)) {
    const status = statusOfPartType(part.part_type);
    if (status !== null) events.push({ partId: part.id, status, occurredAt: part.created_at });
  }
  return events;
}
