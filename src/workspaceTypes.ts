// The string-literal unions a workspace's row, its request gate, the activities and the workflows
// share, defined once: the Kysely table interfaces (src/db/schema.ts) and the workflow's status
// view both use these types, so a misspelt status, region or gate reason fails `tsc`.
// Pure constants and types only: workflow code imports this module (no I/O, no node built-ins).

/** The card state: the workflow's status query, the workspaces.status column, the IntercomSyncStatus search attribute. */
export const SYNC_STATUSES = ['Connected', 'Sync in progress', 'Synced', 'Paused', 'Needs reauthorization', 'Disconnected'] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];

/**
 * What kind of failure a job's lastError is: the value of the IntercomSyncError search attribute
 * ('' when no job has an error), and the workspaces.error_class column.
 */
export const ERROR_CLASSES = ['auth', 'contract', 'intercom_4xx', 'intercom_unavailable', 'database', 'decryption', 'config', 'timeout', 'internal'] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

/** Intercom's hosting regions (workspaces.region); each has its own API and app host (src/intercom/regions.ts). */
export const REGIONS = ['us', 'eu', 'au'] as const;
export type Region = (typeof REGIONS)[number];

/** Why a workspace's request gate is closed (workspace_gates.blocked_reason; null there means open). */
export const GATE_REASONS = ['paused', 'needs_reauthorization', 'disconnected'] as const;
export type GateReason = (typeof GATE_REASONS)[number];

/** The gate each status implies: every status is listed, so a new status must say whether it closes the gate. */
export const GATE_REASON_OF_STATUS: Readonly<Record<SyncStatus, GateReason | null>> = {
  Connected: null,
  'Sync in progress': null,
  Synced: null,
  Paused: 'paused',
  'Needs reauthorization': 'needs_reauthorization',
  Disconnected: 'disconnected',
};
