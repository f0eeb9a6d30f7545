import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BackfillControl, BackfillProgress, ResyncRequest, WorkspaceStatusView } from './types';

// Declared once; the CLI, the OAuth callback and the workflows all import these definitions.

/** Operator commands are updates, so the caller learns at once whether they were accepted. */
export const pauseUpdate = defineUpdate<WorkspaceStatusView, []>('pause');
export const resumeUpdate = defineUpdate<WorkspaceStatusView, []>('resume');
export const resyncUpdate = defineUpdate<WorkspaceStatusView, [ResyncRequest]>('resync');
export const disconnectUpdate = defineUpdate<WorkspaceStatusView, []>('disconnect');

/** Sent with signal-with-start by every connect: new credentials are in the database. */
export const reauthorizedSignal = defineSignal<[]>('reauthorized');

/**
 * From the webhook endpoint, coalesced (one signal per false → true flip of workspace_wakes.wake_pending):
 * something changed in Intercom, run the default job now rather than at its next tick.
 */
export const wakeDefaultSignal = defineSignal<[]>('wakeDefault');
/** From the uninstall endpoint, once an authenticated request confirmed the token is revoked (a 401). */
export const credentialsRevokedSignal = defineSignal<[]>('credentialsRevoked');

export const statusQuery = defineQuery<WorkspaceStatusView>('status');

/** Parent → backfill child: stop or resume sending requests (pause, needs reauthorization). */
export const backfillControlSignal = defineSignal<[BackfillControl]>('backfillControl');
/** Backfill child → parent: progress after each window, completion, or an auth failure. */
export const backfillProgressSignal = defineSignal<[BackfillProgress]>('backfillProgress');
export const backfillStatusQuery = defineQuery<BackfillProgress>('backfillStatus');
