import type { BackfillJobStatus, BackfillProgress, ErrorClass, JobStatus, ResyncRequest, Retention, SyncStatus, WorkspaceStatusView } from './types';
import type { DeletionsState, UpgradeState } from './jobs/deletions';

/**
 * Everything the workspace workflow knows that outlives one run, as small plain JSON: it is the
 * continue-as-new argument, so a field not here is lost at the next run. Fields added after the
 * first release are optional: a run continued from older code starts without them.
 */
export interface WorkspaceState {
  paused: boolean;
  needsReauth: boolean;
  disconnected: boolean;
  catalogDue: boolean;
  /** updated_at watermark of the default loop (Unix s); starts at the connection time. */
  defaultCursorSec: number;
  nextDefaultAt: number;
  backfill: BackfillJobStatus;
  resync: BackfillJobStatus | null;
  resyncCount: number;
  pendingResync: ResyncRequest | null;
  jobs: { default: JobStatus; agent_states: JobStatus; catalog: JobStatus };
  /** Whether the backfill children were last told to run, so control is only sent on change. */
  childrenRunning: boolean;
  /** Increases with every reauthorization; an auth failure of work started before it is stale. */
  authEpoch: number;
  /** When the workspace entered Needs reauthorization (retention clock); absent in older states. */
  needsReauthSince?: number | null;
  /** The retention purge deleted the token while waiting for a reauthorization. */
  tokenDeleted?: boolean;
  /** After a failed poller run, it is restarted no sooner than this (the next default tick). */
  pollerRetryAt?: number | null;
  /** The status mirror or the disconnect could not be written (the database away past its retries). */
  controlError?: { lastError: string; errorClass: ErrorClass } | null;
  /**
   * A webhook wake the default job has not acted on yet, and when its last run started (woken runs
   * keep a 2-s gap): a wake that arrives just before continue-as-new runs at the start of the next
   * run instead of waiting for the next tick. Absent in states from before it was carried, which
   * then start as those runs did (no wake, no gap), so their histories replay unchanged.
   */
  defaultWake?: { requested: boolean; lastStartAt: number };
  /** Deleted-list reading and the upgrade refetch (workflows/jobs/deletions.ts); absent before that patch. */
  deletions?: DeletionsState;
  upgrade?: UpgradeState;
}

export const emptyJob = (): JobStatus => ({ lastSuccessAt: null, lastError: null, cursor: null, runs: 0 });
export const emptyBackfill = (childId: string | null): BackfillJobStatus => ({
  ...emptyJob(),
  childId,
  percent: 0,
  conversationsStored: 0,
  etaSeconds: null,
  done: false,
});

export function initialState(connectedAt: number, nextDefaultAt: number): WorkspaceState {
  return {
    paused: false,
    needsReauth: false,
    disconnected: false,
    catalogDue: true,
    defaultCursorSec: Math.floor(connectedAt / 1000),
    nextDefaultAt,
    backfill: emptyBackfill(null),
    resync: null,
    resyncCount: 0,
    pendingResync: null,
    jobs: { default: emptyJob(), agent_states: emptyJob(), catalog: emptyJob() },
    childrenRunning: true,
    authEpoch: 0,
  };
}

/** Every job's status, in the order the status view picks the error to show. */
function jobStatuses(s: WorkspaceState): JobStatus[] {
  return [s.backfill, s.resync, s.jobs.default, s.jobs.agent_states, s.jobs.catalog].filter((j): j is JobStatus => j !== null);
}

export function syncStatus(s: WorkspaceState): SyncStatus {
  if (s.disconnected) return 'Disconnected';
  if (s.needsReauth) return 'Needs reauthorization';
  if (s.paused) return 'Paused';
  if (s.backfill.childId === null && s.jobs.catalog.runs === 0) return 'Connected';
  if (!s.backfill.done || s.pendingResync || (s.resync && !s.resync.done)) return 'Sync in progress';
  return 'Synced';
}

export interface CurrentError {
  lastError: string | null;
  errorClass: ErrorClass | null;
}

/** The workspace's one problem to show: the token's deletion, a control write, else a job's error (credentials first). */
export function currentError(s: WorkspaceState, retention: Retention): CurrentError {
  if (s.tokenDeleted) {
    return {
      lastError: `the token was deleted after ${formatDuration(retention.needsReauthTokenMs)} in Needs reauthorization (retention); connect the workspace again to resume`,
      errorClass: 'auth',
    };
  }
  if (s.controlError) return s.controlError;
  const jobs = jobStatuses(s).filter((j) => j.lastError !== null);
  // The one an operator must act on first: a credentials problem.
  const job = jobs.find((j) => j.errorClass === 'auth') ?? jobs[0];
  return job ? { lastError: job.lastError, errorClass: job.errorClass ?? 'internal' } : { lastError: null, errorClass: null };
}

export function statusView(workspaceId: string, s: WorkspaceState, retention: Retention): WorkspaceStatusView {
  return {
    workspaceId,
    status: syncStatus(s),
    ...currentError(s, retention),
    jobs: {
      backfill: s.backfill,
      resync: s.resync,
      default: s.jobs.default,
      agent_states: s.jobs.agent_states,
      catalog: s.jobs.catalog,
      ...(s.deletions ? { deletions: s.deletions } : {}),
      ...(s.upgrade ? { upgrade: s.upgrade } : {}),
    },
  };
}

/** New credentials: what the old ones failed on is no longer the workspace's problem. */
export function clearAuthErrors(s: WorkspaceState): void {
  for (const job of jobStatuses(s)) {
    if (isAuthProblem(job)) {
      job.lastError = null;
      job.errorClass = null;
    }
  }
}

export function isAuthProblem(job: JobStatus): boolean {
  return job.lastError !== null && (job.errorClass === 'auth' || (job.errorClass === undefined && /IntercomAuthError|WorkspaceDisconnected|HTTP 40[13]/.test(job.lastError)));
}

export function applyProgress(job: BackfillJobStatus, p: BackfillProgress, staleError: boolean): void {
  job.percent = p.percent;
  job.conversationsStored = p.stored;
  job.etaSeconds = p.etaSeconds;
  job.done = p.done;
  job.cursor = new Date(p.coveredDownToSec * 1000).toISOString();
  if (!staleError) {
    job.lastError = p.lastError;
    job.errorClass = p.lastError === null ? null : (p.errorClass ?? 'internal');
  }
  job.runs += 1;
  if (!p.lastError) job.lastSuccessAt = Date.now();
}

/** Progress changes that should wake the loop (search attributes, status mirror). */
export function progressKey(s: WorkspaceState): string {
  return `${s.backfill.done}|${Math.floor(s.backfill.percent)}|${s.resync?.done ?? ''}`;
}

function formatDuration(ms: number): string {
  if (ms >= 86_400_000) return `${Math.round(ms / 86_400_000)} day(s)`;
  if (ms >= 3_600_000) return `${Math.round(ms / 3_600_000)} hour(s)`;
  return `${Math.round(ms / 1000)} s`;
}
