import type { PartRec } from './parts';
import type {
  ConvState,
  SimAppliedTag,
  SimAuthor,
  SimContactRef,
  SimConversationSummary,
  SimRating,
  SimSource,
} from './types';

/** What the generator itself decided while building a conversation: the independent oracle behind expected(). */
export interface Oracle {
  ignored: boolean;
  subject: string | null;
  firstRespondedAt: number | null;
  /** The first human reply's author and part index (responder known only while that part is among the 500 returned). */
  firstResponder: { adminId: string; partIndex: number } | null;
  /** partIndex lets expected() keep only the events of the 500 parts the API returns. */
  statusEvents: Array<{ partIndex: number; partId: number; status: ConvState; occurredAt: number }>;
}

/** Running values from which the conversation's mutable fields and statistics are derived. */
export interface Accumulators {
  firstContactReplyAt: number | null;
  lastContactReplyAt: number | null;
  pendingContactAt: number | null;
  replyDurations: number[];
  firstAdminReplyAt: number | null;
  lastAdminReplyAt: number | null;
  firstAssignmentAt: number | null;
  lastAssignmentAt: number | null;
  lastAssignmentAdminReplyAt: number | null;
  countAssignments: number;
  firstCloseAt: number | null;
  lastCloseAt: number | null;
  lastClosedById: string | null;
  countReopens: number;
  waitingSince: number | null;
  snoozedUntil: number | null;
  adminAssigneeId: number | null;
  teamAssigneeId: number | null;
  teammates: Set<string>;
  aiParticipated: boolean;
}

export interface ConvRecord {
  id: string;
  idNum: number;
  createdAt: number;
  updatedAt: number;
  state: ConvState;
  marker: string;
  contact: SimAuthor;
  contactRef: SimContactRef;
  source: SimSource;
  title: string | null;
  firstContactReply: { created_at: number; type: string; url: string | null } | null;
  tags: SimAppliedTag[];
  priority: 'priority' | 'not_priority';
  rating: SimRating | null;
  parts: PartRec[];
  acc: Accumulators;
  oracle: Oracle;
  /** Search-result JSON, dropped on every change. */
  summaryJson: string | null;
}

export function newAccumulators(): Accumulators {
  return {
    firstContactReplyAt: null,
    lastContactReplyAt: null,
    pendingContactAt: null,
    replyDurations: [],
    firstAdminReplyAt: null,
    lastAdminReplyAt: null,
    firstAssignmentAt: null,
    lastAssignmentAt: null,
    lastAssignmentAdminReplyAt: null,
    countAssignments: 0,
    firstCloseAt: null,
    lastCloseAt: null,
    lastClosedById: null,
    countReopens: 0,
    waitingSince: null,
    snoozedUntil: null,
    adminAssigneeId: null,
    teamAssigneeId: null,
    teammates: new Set(),
    aiParticipated: false,
  };
}

function diff(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a - b;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? null) : Math.round(((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2);
}

export function buildHead(rec: ConvRecord): SimConversationSummary {
  const a = rec.acc;
  const handling = diff(a.lastCloseAt, a.firstAssignmentAt);
  return {
    type: 'conversation',
    id: rec.id,
    title: rec.title,
    created_at: rec.createdAt,
    updated_at: rec.updatedAt,
    waiting_since: rec.state === 'closed' ? null : a.waitingSince,
    snoozed_until: rec.state === 'snoozed' ? a.snoozedUntil : null,
    open: rec.state !== 'closed',
    state: rec.state,
    read: a.lastAdminReplyAt !== null || rec.state === 'closed',
    priority: rec.priority,
    admin_assignee_id: a.adminAssigneeId,
    team_assignee_id: a.teamAssigneeId,
    tags: { type: 'tag.list', tags: rec.tags },
    conversation_rating: rec.rating,
    source: rec.source,
    contacts: { type: 'contact.list', contacts: [rec.contactRef] },
    teammates: { type: 'admin.list', teammates: [...a.teammates].map((id) => ({ type: 'admin' as const, id })) },
    custom_attributes: { Language: 'English', 'Copilot used': a.aiParticipated },
    first_contact_reply: rec.firstContactReply,
    sla_applied: null,
    statistics: {
      type: 'conversation_statistics',
      time_to_assignment: diff(a.firstAssignmentAt, rec.createdAt),
      time_to_admin_reply: diff(a.firstAdminReplyAt, a.firstContactReplyAt),
      time_to_first_close: diff(a.firstCloseAt, rec.createdAt),
      time_to_last_close: diff(a.lastCloseAt, rec.createdAt),
      median_time_to_reply: median(a.replyDurations),
      first_contact_reply_at: a.firstContactReplyAt,
      first_assignment_at: a.firstAssignmentAt,
      first_admin_reply_at: a.firstAdminReplyAt,
      first_close_at: a.firstCloseAt,
      last_assignment_at: a.lastAssignmentAt,
      last_assignment_admin_reply_at: a.lastAssignmentAdminReplyAt,
      last_contact_reply_at: a.lastContactReplyAt,
      last_admin_reply_at: a.lastAdminReplyAt,
      last_close_at: a.lastCloseAt,
      last_closed_by_id: a.lastClosedById,
      count_reopens: a.countReopens,
      count_assignments: a.countAssignments,
      // Intercom counts the source message too (see intercom-api.md §4).
      count_conversation_parts: rec.parts.length + 1,
      handling_time: handling !== null && handling >= 0 ? handling : null,
      adjusted_handling_time: handling !== null && handling >= 0 ? Math.floor(handling * 0.8) : null,
      assigned_team_first_response_time_by_team: [],
      assigned_team_first_response_time_in_office_hours: [],
    },
    linked_objects: { type: 'list', data: [], total_count: 0, has_more: false },
    ai_agent_participated: a.aiParticipated,
    ai_agent: a.aiParticipated
      ? { source_type: 'essay', source_title: null, last_answer_type: 'ai_answer', resolution_state: rec.state === 'closed' ? 'assumed_resolution' : 'routed_to_team' }
      : null,
  };
}

export function summaryJsonOf(rec: ConvRecord): string {
  if (rec.summaryJson === null) rec.summaryJson = JSON.stringify(buildHead(rec));
  return rec.summaryJson;
}

export function compareRecords(a: ConvRecord, b: ConvRecord): number {
  return a.createdAt - b.createdAt || a.idNum - b.idNum;
}
