import { patched } from '@temporalio/workflow';

// Every `patched` id the workflows use, oldest first. A change to the command sequence of a
// workflow that may be running goes behind a new id here; histories recorded before it replay on
// the old path. Never rename or reuse an id.

/**
 * Messages take effect before their update returns (jobs in cancellable scopes), failures are
 * bounded (a failed catalog or poller runs again at the next tick), and the retention timer runs.
 */
export const MESSAGES_TAKE_EFFECT_PATCH = 'messages-take-effect';
/** The status mirror is written while an awaited job runs, when what it would say has changed. */
export const MIRROR_WHILE_JOBS_RUN_PATCH = 'mirror-while-jobs-run';
/** The status mirror also carries the backfill's progress (the operator console reads it from Postgres). */
export const PROGRESS_MIRROR_PATCH = 'console-progress-mirror';
/**
 * Two steps after every default tick: reading Intercom's deleted-conversations list from a cursor of
 * its own, and the one-time upgrade refetch of rows an older mapping wrote (workflows/jobs/deletions.ts).
 * A workflow started on older code takes them up on its next run (continue-as-new), where `patched`
 * is first evaluated afresh.
 */
export const DELETIONS_AND_UPGRADE_PATCH = 'deletions-and-upgrade';
/**
 * The agent-state poller heartbeats rarely (every half of agentPollerHeartbeatTimeoutMs) and stops
 * by itself at a closed gate or a lost lease (Postgres); its cancellation is not waited for; the
 * default loop restarts it when its last poll is stale (a dead worker). Issue 13: billable actions.
 */
export const POLLER_RARE_HEARTBEATS_PATCH = 'poller-rare-heartbeats';
/** A webhook's wake signal starts the default job at once (at most every 2 s); checked only once a wake arrived. */
export const WEBHOOK_WAKE_PATCH = 'webhook-wake';
/** Backfill child: a window that failed for good starts again later from its checkpoint. */
export const FAILED_WINDOW_RETRY_PATCH = 'failed-window-retry';
/** The backfill child retries its final progress signal (a lost one left the parent waiting for ever for `done`). */
export const FINAL_REPORT_RETRIED_PATCH = 'final-report-retried';

/** Which paths a workspace workflow run takes; read once at its start. */
export interface WorkspacePatches {
  /** MESSAGES_TAKE_EFFECT_PATCH; the other patches of the loop build on it. */
  v2: boolean;
  mirrorLive: boolean;
  progressMirror: boolean;
  deletionsAndUpgrade: boolean;
  rareHeartbeats: boolean;
}

/** Evaluated in this order at the start of every run: the markers' order is part of the recorded histories. */
export function workspacePatches(): WorkspacePatches {
  const v2 = patched(MESSAGES_TAKE_EFFECT_PATCH);
  // The mirror (and search attributes) follow status changes while the default job runs, not after it.
  const mirrorLive = v2 && patched(MIRROR_WHILE_JOBS_RUN_PATCH);
  const progressMirror = patched(PROGRESS_MIRROR_PATCH);
  const deletionsAndUpgrade = patched(DELETIONS_AND_UPGRADE_PATCH);
  const rareHeartbeats = v2 && patched(POLLER_RARE_HEARTBEATS_PATCH);
  return { v2, mirrorLive, progressMirror, deletionsAndUpgrade, rareHeartbeats };
}
