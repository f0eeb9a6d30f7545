import type { WebhookEvent, WebhookStats, WebhookTarget } from './webhooks';
// Shapes of the simulator's public API and of the JSON bodies it serves. The JSON shapes follow Intercom's
// OpenAPI 2.14 objects, including fields our client strips, so that the client is exercised against realistic bodies.

import type { PoisonKind } from './poison';

export type ConvState = 'open' | 'closed' | 'snoozed';
export type Region = 'us' | 'eu' | 'au';

export interface SimulatorOptions {
  port?: number;
  seed?: number;
  workspaces?: SimWorkspaceSpec[];
  now?: () => number;
  ratePerMinute?: number;
  windowMs?: number;
  latencyMs?: number;
  jitterMs?: number;
  faults?: Partial<FaultOptions>;
  oauth?: { clientId: string; clientSecret: string };
}

export interface SimWorkspaceSpec {
  id: string;
  name: string;
  region: Region;
  conversations: number;
  admins?: number;
  teams?: number;
  tags?: number;
  token?: string;
}

export interface FaultOptions {
  serverErrorRate: number;
  timeoutRate: number;
  timeoutMs: number;
  malformedRate: number;
}

export interface Simulator {
  baseUrl: string;
  stop(): Promise<void>;
  stats(): SimStats;
  resetStats(): void;
  workspace(id: string): SimWorkspace;
  setFaults(f: Partial<FaultOptions>): void;
  /** Every request to `endpoint` (e.g. 'GET /tags') fails this way until cleared with null. */
  setEndpointFault(endpoint: string, fault: 'server_error' | 'malformed' | 'bad_request' | null): void;
  setLatency(latencyMs: number, jitterMs?: number): void;
  setRatePerMinute(r: number): void;
  revokeToken(workspaceId: string): void;
  issueToken(workspaceId: string): string;
  /** Live mode: every tick creates, updates and flips away modes; `churn` adds catalog and attribution changes. */
  startLive(opts?: { intervalMs?: number; churn?: Partial<LiveChurn> }): void;
  stopLive(): void;
  /** Webhooks: every change (live mode or a test's) is POSTed, signed with the OAuth client secret, to `url`. */
  setWebhooks(t: WebhookTarget): void;
  /** A signed delivery of `e` without sending it (tests send, replay or tamper with it). */
  webhook(e: WebhookEvent): { body: string; headers: Record<string, string> };
  webhookStats(): WebhookStats;
  /** Resolves once the deliveries already started are answered. */
  settleWebhooks(): Promise<void>;
}

/**
 * Per-tick, per-workspace chances of the changes a workforce product must follow (each 0..1).
 * Off unless asked for: benchmarks and tests that count rows rely on the plain live mode.
 */
export interface LiveChurn {
  /** Replace a random conversation's tags. */
  retag: number;
  /** Reassign a random conversation to another admin and/or team (or unassign it). */
  reassign: number;
  hireAdmin: number;
  /** Remove a random admin (never the last one). */
  removeAdmin: number;
  createTag: number;
  deleteConversation: number;
  /** Push a random conversation past the 500-part cap. */
  truncate: number;
}

/**
 * How `conversation_parts.total_count` is reported for a conversation with more than 500 parts:
 * 'all' counts every part (the documented shape), 'returned' only the parts in the response (also
 * seen); `statistics.count_conversation_parts` always counts every part plus the source.
 */
export type PartsCountShape = 'all' | 'returned';

export interface SimDeletedConversation {
  type: 'conversation';
  id: string;
  deleted_at: number;
  metrics_retained: boolean;
}

export interface SimWorkspaceStats {
  requests: number;
  requests429: number;
  maxInWindow: number;
  windows: number;
}

export interface SimStats {
  requests: number;
  requests429: number;
  byEndpoint: Record<string, number>;
  byWorkspace: Record<string, SimWorkspaceStats>;
  conversationFetches: Record<string, number>;
  /** Successful search requests whose body (query and cursor) the workspace had sent before: pages fetched again. */
  searchPagesRepeated: number;
}

export interface SimWorkspace {
  id: string;
  name: string;
  region: string;
  conversations(): SimConversation[];
  expected(): ExpectedTicket[];
  admins(): SimAdmin[];
  createConversation(atMs?: number): SimConversation;
  updateConversation(id: string, atMs?: number): void;
  setAway(adminId: string, away: boolean, reassign?: boolean): void;
  piiMarkers(): string[];
  /** Additions beyond the agreed API. */
  conversation(id: string): SimConversation | undefined;
  /** Every part, including those beyond the 500 the API returns. */
  allParts(id: string): SimPart[];
  /** A fault on one conversation: its detail carries a NUL or oversized subject, or an out-of-range created_at (simulator/poison.ts); null undoes it. */
  setPoison(id: string, kind: PoisonKind | null, opts?: { oversizedChars?: number }): void;
  /** Poisons each conversation created from now on (by live mode or createConversation) with this probability. */
  setPoisonRate(rate: number): void;
  /** The poisoned conversations and their kinds. */
  poisoned(): Map<string, PoisonKind>;
  /** A fault on one conversation: its detail response breaks the contract until this is undone. */
  setMalformed(id: string, malformed: boolean): void;
  /** A fault on one conversation: its detail body trickles in, one byte every `everyMs` (0 undoes it). */
  setTrickle(id: string, everyMs: number): void;
  /** The workspace's currently valid access tokens, oldest first. */
  tokens(): string[];
  // ---- Changes a workforce product must follow (also driven by live mode's churn) ----
  /** Sets the conversation's tags (ids of existing tags) and bumps updated_at. */
  retag(id: string, tagIds: string[], atMs?: number): void;
  /** An assignment part: admin and/or team as given (null = unassigned, undefined = unchanged); bumps updated_at. */
  reassign(id: string, to: { adminId?: string | null; teamId?: string | null }, atMs?: number): void;
  /** A new teammate, optionally in some teams. */
  hireAdmin(opts?: { name?: string; teamIds?: string[] }): SimAdmin;
  /** The admin leaves: gone from GET /admins and from every team (past parts keep naming them). */
  removeAdmin(adminId: string): void;
  createTag(name?: string): SimTag;
  /** Gone from GET /tags (conversations keep it until retagged). */
  deleteTag(tagId: string): void;
  createTeam(name?: string): SimTeam;
  /**
   * Gone from GET /conversations/{id} (404) and, after `searchLagMs` (default 0), from search; listed by
   * GET /conversations/deleted.
   */
  deleteConversation(id: string, atMs?: number, opts?: { searchLagMs?: number }): void;
  /** Adds `count` event parts (no state change, no reply), e.g. to push it past the 500-part cap; bumps updated_at. */
  addParts(id: string, count: number, atMs?: number): void;
  setPartsCountShape(shape: PartsCountShape): void;
  /** When false, GET /conversations/deleted answers 400 intercom_version_invalid (a workspace without it). */
  setDeletedListingAvailable(available: boolean): void;
  deletedConversations(): SimDeletedConversation[];
  teams(): SimTeam[];
  tags(): SimTag[];
}

export interface ExpectedStatusEvent {
  partId: string;
  status: ConvState;
  occurredAt: number;
}

export interface ExpectedTicket {
  conversationId: string;
  createdAt: number;
  updatedAt: number;
  subject: string | null;
  status: ConvState;
  firstRespondedAt: number | null;
  firstResponseDuration: number | null;
  statusEvents: ExpectedStatusEvent[];
  partsTruncated: boolean;
  // Attribution, as the generator decided it.
  assigneeAdminId: string | null;
  teamId: string | null;
  tagIds: string[];
  /** The admin of the first human reply, when that reply is among the 500 parts the API returns. */
  firstResponderAdminId: string | null;
  sourceType: string;
  deliveredAs: string;
  priority: string;
}

// ---- JSON bodies ----

export interface SimAuthor {
  type: 'user' | 'lead' | 'admin' | 'bot' | 'team';
  id: string;
  name: string;
  email: string;
  from_ai_agent: boolean;
  is_ai_answer: boolean;
}

export interface SimAssignee {
  type: 'admin' | 'team' | 'nobody_admin';
  id: string | null;
}

export interface SimPartTag {
  type: 'tag';
  id: string;
  name: string;
}

export interface SimPart {
  type: 'conversation_part';
  id: string;
  part_type: string;
  body: string | null;
  created_at: number;
  updated_at: number;
  notified_at: number;
  assigned_to: SimAssignee | null;
  author: SimAuthor;
  attachments: unknown[];
  external_id: string | null;
  redacted: boolean;
  metadata: Record<string, unknown>;
  state: ConvState;
  tags: SimPartTag[];
  event_details: Record<string, unknown>;
  app_package_code: string | null;
}

export interface SimAppliedTag {
  type: 'tag';
  id: string;
  name: string;
  applied_at: number;
  applied_by: { type: 'admin'; id: string };
}

export interface SimStatistics {
  type: 'conversation_statistics';
  time_to_assignment: number | null;
  time_to_admin_reply: number | null;
  time_to_first_close: number | null;
  time_to_last_close: number | null;
  median_time_to_reply: number | null;
  first_contact_reply_at: number | null;
  first_assignment_at: number | null;
  first_admin_reply_at: number | null;
  first_close_at: number | null;
  last_assignment_at: number | null;
  last_assignment_admin_reply_at: number | null;
  last_contact_reply_at: number | null;
  last_admin_reply_at: number | null;
  last_close_at: number | null;
  last_closed_by_id: string | null;
  count_reopens: number;
  count_assignments: number;
  count_conversation_parts: number;
  handling_time: number | null;
  adjusted_handling_time: number | null;
  assigned_team_first_response_time_by_team: unknown[];
  assigned_team_first_response_time_in_office_hours: unknown[];
}

export interface SimSource {
  type: 'conversation' | 'email';
  id: string;
  delivered_as: 'customer_initiated' | 'operator_initiated' | 'automated' | 'campaigns_initiated';
  subject: string;
  body: string;
  author: SimAuthor;
  attachments: unknown[];
  url: string | null;
  redacted: boolean;
}

export interface SimContactRef {
  type: 'contact';
  id: string;
  external_id: string | null;
}

export interface SimRating {
  rating: number;
  remark: string | null;
  created_at: number;
  updated_at: number;
  contact: SimContactRef;
  teammate: { type: 'admin'; id: string } | null;
}

export interface SimConversationSummary {
  type: 'conversation';
  id: string;
  title: string | null;
  created_at: number;
  updated_at: number;
  waiting_since: number | null;
  snoozed_until: number | null;
  open: boolean;
  state: ConvState;
  read: boolean;
  priority: 'priority' | 'not_priority';
  admin_assignee_id: number | null;
  team_assignee_id: number | null;
  tags: { type: 'tag.list'; tags: SimAppliedTag[] };
  conversation_rating: SimRating | null;
  source: SimSource;
  contacts: { type: 'contact.list'; contacts: SimContactRef[] };
  teammates: { type: 'admin.list'; teammates: Array<{ type: 'admin'; id: string }> };
  custom_attributes: Record<string, unknown>;
  first_contact_reply: { created_at: number; type: string; url: string | null } | null;
  sla_applied: null;
  statistics: SimStatistics;
  linked_objects: { type: 'list'; data: unknown[]; total_count: number; has_more: boolean };
  ai_agent_participated: boolean;
  ai_agent: { source_type: string; source_title: string | null; last_answer_type: string | null; resolution_state: string | null } | null;
}

export interface SimConversation extends SimConversationSummary {
  conversation_parts: { type: 'conversation_part.list'; conversation_parts: SimPart[]; total_count: number };
}

export interface SimAdmin {
  type: 'admin';
  id: string;
  name: string;
  email: string;
  email_verified: boolean;
  job_title: string;
  away_mode_enabled: boolean;
  away_mode_reassign: boolean;
  away_status_reason_id: number | null;
  has_inbox_seat: boolean;
  team_ids: number[];
  avatar: { type: 'avatar'; image_url: string | null };
  team_priority_level: { primary_team_ids: number[]; secondary_team_ids: number[] };
}

export interface SimTeam {
  type: 'team';
  id: string;
  name: string;
  admin_ids: number[];
  admin_priority_level: { primary_admin_ids: number[]; secondary_admin_ids: number[] };
}

export interface SimTag {
  type: 'tag';
  id: string;
  name: string;
}
