import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { ErrorClass, GateReason, Region, SyncStatus } from '../workspaceTypes';

// One interface per table; the table and column names are the contract downstream readers rely on.

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export interface WorkspacesTable {
  id: string; // Intercom app id_code
  name: string;
  region: Region;
  /** The card state the workflow last mirrored. */
  status: SyncStatus;
  connected_at: Timestamp;
  created_at: CreatedAt;
  updated_at: Timestamp;
  /** The workflow's current error in words (status query's lastError); null when none. */
  last_error: ColumnType<string | null, string | null | undefined, string | null>;
  /** Its class (auth, contract, intercom_4xx, …), as in the IntercomSyncError search attribute. */
  error_class: ColumnType<ErrorClass | null, ErrorClass | null | undefined, ErrorClass | null>;
  /** The agent-state poller's last successful poll. */
  agents_polled_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Mirrored by the workflow with its status (migration 20261129T1000), read by the console. */
  backfill_percent: ColumnType<number | null, number | null | undefined, number | null>;
  backfill_stored: ColumnType<number | null, number | null | undefined, number | null>;
  backfill_eta_seconds: ColumnType<number | null, number | null | undefined, number | null>;
  last_default_run_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The workflow time (epoch ms, pg bigint as text) of the mirror write that last landed (migration 20261129T1300). */
  mirror_as_of_ms: ColumnType<string | null, number | null | undefined, number | null>;
}

/** The agent-state poller run allowed to poll a workspace (migration 20261129T1100). */
export interface AgentPollLeasesTable {
  workspace_id: string;
  owner: string;
  expires_at: Timestamp;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface IntercomCredentialsTable {
  workspace_id: string;
  /** AES-256-GCM: iv (12 bytes) | auth tag (16 bytes) | ciphertext. */
  token_encrypted: Buffer;
  key_id: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface OauthStatesTable {
  state: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  /** `link:<connect link id>` or `session:<product account>` (migration 20261129T0600). */
  initiated_by: string | null;
}

/** A one-time connect link (migration 20261129T0600); the token itself is never stored. */
export interface ConnectLinksTable {
  id: string;
  token_hash: string;
  note: string | null;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface TicketsTable {
  workspace_id: string;
  conversation_id: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  subject: string | null;
  status: string; // open | closed | snoozed
  channel: string; // chat
  first_responded_at: Timestamp | null;
  first_response_duration: number | null; // whole seconds
  parts_truncated: boolean;
  synced_at: Timestamp;
  // Attribution (migration 20261129T0700): Intercom ids as text, null when Intercom names none.
  /** Intercom's admin_assignee_id. */
  assignee_admin_id: string | null;
  /** Intercom's team_assignee_id. */
  team_id: string | null;
  /** The admin whose reply gives first_responded_at; null where that reply is not among the parts. */
  first_responder_admin_id: string | null;
  /** Intercom's source.type: conversation | email | phone_call | … */
  source_type: string | null;
  /** Intercom's source.delivered_as: customer_initiated | operator_initiated | automated | … */
  source_delivered_as: string | null;
  /** priority | not_priority */
  priority: string | null;
  /** When a 404 or GET /conversations/deleted showed the conversation gone; such a ticket is no contact. */
  deleted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** The conversation's tag ids (its queues), sorted; null = unknown (written before mapping version 2). See ticket_queues. */
  tag_ids: string[] | null;
  /** Which mapping wrote the row: 1 = before attribution; MAPPING_VERSION (src/mapping/ticket.ts) now. */
  mapping_version: ColumnType<number, number | undefined, number>;
}

/** A view over tickets.tag_ids: one row per (ticket, tag), exactly the conversation's tags as last fetched. */
export interface TicketQueuesTable {
  workspace_id: string;
  conversation_id: string;
  tag_id: string;
}

export interface TicketStatusEventsTable {
  workspace_id: string;
  conversation_id: string;
  part_id: string;
  status: string; // open | closed | snoozed
  occurred_at: Timestamp;
}

export interface AgentsTable {
  workspace_id: string;
  admin_id: string;
  name: string | null;
  email: string | null;
  role: string; // standard
  team_ids: string[];
  synced_at: Timestamp;
  /** Set when GET /admins no longer lists the admin (the row stays: tickets point at it); cleared if listed again. */
  removed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** When the sync first saw the admin (a hire shows here); null for admins stored before migration 20261129T0700. */
  first_seen_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface AgentStatesTable {
  workspace_id: string;
  admin_id: string;
  state: string; // available | away
  reassign: boolean;
  since: Timestamp;
  observed_at: Timestamp;
}

export interface AgentStateEventsTable {
  workspace_id: string;
  admin_id: string;
  state: string;
  reassign: boolean;
  started_at: Timestamp;
}

export interface TeamsTable {
  workspace_id: string;
  team_id: string;
  name: string;
  admin_ids: string[];
  synced_at: Timestamp;
  /** Set when GET /teams no longer lists the team. */
  removed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface QueuesTable {
  workspace_id: string;
  tag_id: string;
  name: string;
  synced_at: Timestamp;
  /** Set when GET /tags no longer lists the tag. */
  removed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** When teams and tags were last read from Intercom (every CATALOG_REFRESH_MS, six hours, and at once for an id a ticket or an admin names that we lack). */
export interface CatalogRefreshesTable {
  workspace_id: string;
  kind: string; // teams | tags
  refreshed_at: Timestamp;
}

/** Shared rate-limit window per workspace, so every worker process draws on one budget. */
/** Requests the deletion reconciliation spent per workspace and UTC day (migration 20261129T1200). */
export interface ReconciliationRequestsTable {
  workspace_id: string;
  day: ColumnType<Date, string, string>;
  requests: number;
}

export interface RateLimitsTable {
  workspace_id: string;
  window_limit: number; // requests allowed per window (learned from X-RateLimit-Limit)
  limit_learned: boolean;
  window_ms: number;
  window_end_ms: ColumnType<number, number, number>; // epoch ms (bigint, parsed to a number in connection.ts)
  used: number;
  /** Requests granted just before the window ended, charged to the next window too (migration 20261126T0900). */
  carry: Generated<number>;
  /** Tokens granted by the latest claim (migration 20261126T0900). */
  last_grant: Generated<number>;
  updated_at: Generated<Date>;
}

export interface WorkspaceGatesTable {
  workspace_id: string;
  /** null = open; else why no request may leave. */
  blocked_reason: GateReason | null;
  updated_at: Generated<Date>;
}

/** A conversation passed over because its detail response kept breaking the contract (no payload kept). */
export interface SyncErrorsTable {
  workspace_id: string;
  conversation_id: string;
  /** The client's error: endpoint and field, never body content. */
  problem: string;
  attempts: number;
  first_seen_at: Generated<Timestamp>;
  last_seen_at: Generated<Timestamp>;
}

export interface Database {
  workspace_gates: WorkspaceGatesTable;
  workspaces: WorkspacesTable;
  agent_poll_leases: AgentPollLeasesTable;
  intercom_credentials: IntercomCredentialsTable;
  oauth_states: OauthStatesTable;
  connect_links: ConnectLinksTable;
  tickets: TicketsTable;
  ticket_status_events: TicketStatusEventsTable;
  ticket_queues: TicketQueuesTable;
  agents: AgentsTable;
  agent_states: AgentStatesTable;
  agent_state_events: AgentStateEventsTable;
  teams: TeamsTable;
  queues: QueuesTable;
  rate_limits: RateLimitsTable;
  sync_errors: SyncErrorsTable;
  catalog_refreshes: CatalogRefreshesTable;
  reconciliation_requests: ReconciliationRequestsTable;
  workspace_wakes: WorkspaceWakesTable;
}

/** Coalesced webhook wakes of a workspace's default job (see src/repositories/wakes.ts). */
export interface WorkspaceWakesTable {
  workspace_id: string;
  wake_pending: Generated<boolean>;
  wake_requested_at: Timestamp | null;
  updated_at: Generated<Date>;
}

export type TicketRow = Insertable<TicketsTable>;
export type TicketStatusEventRow = Insertable<TicketStatusEventsTable>;
export type Ticket = Selectable<TicketsTable>;
