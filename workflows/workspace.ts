import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  WorkflowIdReusePolicy,
  ApplicationFailure,
  patched,
  sleep,
} from '@temporalio/workflow';
import { BACKFILL_PERCENT, SYNC_ERROR, SYNC_STATUS, WORKSPACE_ID } from '../src/temporal/searchAttributes';
import { poller as pollerActivities, rarePoller, workspaceProxies } from './activityProxies';
import { backfillWorkflow } from './backfill';
import { classOf, describe, isCancellation, needsCredentials } from './failures';
import { backfillControlSignal, backfillProgressSignal, credentialsRevokedSignal, disconnectUpdate, pauseUpdate, reauthorizedSignal, resumeUpdate, resyncUpdate, statusQuery, wakeDefaultSignal } from './messages';
import type { BackfillJobStatus, BackfillProgress, BackfillTuning, Cadence, ErrorClass, JobStatus, ResyncRequest, Retention, RetryTuning, SyncStatus, WorkspaceStatusView } from './types';
import { backfillChildId, resyncChildId } from './ids';
import { DELETIONS_AND_UPGRADE_PATCH, emptyDeletions, emptyUpgrade, runDeletionsAndUpgrade, type DeletionsState, type UpgradeState } from './jobs/deletions';

export interface WorkspaceWorkflowInput {
  workspaceId: string;
  /** Epoch ms of the first connection: the backfill covers `years` before it. */
  connectedAt: number;
  cadence?: Partial<Cadence>;
  backfill?: Partial<BackfillTuning>;
  retention?: Partial<Retention>;
  /** Tests: tighter retry bounds for this workflow's activities. */
  retry?: Partial<RetryTuning>;
  /** Carried over by continue-as-new. */
  state?: WorkspaceState;
}

/** Everything the workflow knows, as small plain JSON (it is copied into every continue-as-new). */
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
  /** Deleted-list reading and the upgrade refetch (workflows/jobs/deletions.ts); absent before that patch. */
  deletions?: DeletionsState;
  upgrade?: UpgradeState;
}

/** The test/operator knobs a connect passes to a newly started workflow. */
export type WorkspaceWorkflowOptions = Pick<WorkspaceWorkflowInput, 'cadence' | 'backfill' | 'retention' | 'retry'>;

export const DEFAULT_CADENCE: Cadence = { defaultMs: 5 * 60_000, agentStatesMs: 15_000, agentPollerRunMs: 60 * 60_000 };
export const DEFAULT_BACKFILL: BackfillTuning = {
  years: 5,
  initialWindowSec: 86400,
  targetPerWindow: 1500,
  parallelism: 2,
  windowsPerRun: 25,
  heartbeatTimeoutMs: 30_000,
};
export const DEFAULT_RETENTION: Retention = { needsReauthTokenMs: 30 * 86_400_000 };

/**
 * The patch that makes messages take effect before their update returns (jobs in cancellable
 * scopes), bounds failures (a failed catalog or poller runs again at the next tick) and runs the
 * retention timer. Histories recorded before it replay on the old path.
 */
export const MESSAGES_TAKE_EFFECT_PATCH = 'messages-take-effect';
/** The status mirror is written while an awaited job runs, when what it would say has changed. */
export const MIRROR_WHILE_JOBS_RUN_PATCH = 'mirror-while-jobs-run';
/** The status mirror also carries the backfill's progress (the operator console reads it from Postgres). */
export const PROGRESS_MIRROR_PATCH = 'console-progress-mirror';

/**
 * The agent-state poller heartbeats rarely (every half of agentPollerHeartbeatTimeoutMs) and stops
 * by itself at a closed gate or a lost lease (Postgres); its cancellation is not waited for; the
 * default loop restarts it when its last poll is stale (a dead worker). Issue 13: billable actions.
 */
export const POLLER_RARE_HEARTBEATS_PATCH = 'poller-rare-heartbeats';
/** Heartbeat timeout of the rare-heartbeat poller: 6 actions an hour (1 activity + 5 heartbeats). */
export const DEFAULT_POLLER_HEARTBEAT_TIMEOUT_MS = 20 * 60_000;

const emptyJob = (): JobStatus => ({ lastSuccessAt: null, lastError: null, cursor: null, runs: 0 });
const emptyBackfill = (childId: string | null): BackfillJobStatus => ({
  ...emptyJob(),
  childId,
  percent: 0,
  conversationsStored: 0,
  etaSeconds: null,
  done: false,
});

export function validateResync(req: ResyncRequest | undefined, nowMs: number): void {
  if (req === undefined || req === null) return;
  if (typeof req !== 'object' || Array.isArray(req)) throw new Error('resync: the argument must be an object like { fromSec, toSec }');
  const unknown = Object.keys(req).filter((k) => k !== 'fromSec' && k !== 'toSec');
  if (unknown.length) throw new Error(`resync: unknown field(s) ${unknown.join(', ')}; expected fromSec and/or toSec`);
  for (const key of ['fromSec', 'toSec'] as const) {
    const v = req[key];
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < 0)) throw new Error(`resync: ${key} must be a non-negative integer of Unix seconds, got ${JSON.stringify(v)}`);
  }
  if (req.fromSec !== undefined && req.toSec !== undefined && req.fromSec >= req.toSec) throw new Error(`resync: fromSec (${req.fromSec}) must be before toSec (${req.toSec})`);
  if (req.fromSec !== undefined && req.fromSec * 1000 > nowMs) throw new Error(`resync: fromSec (${req.fromSec}) is in the future`);
}

/**
 * One per connected workspace, forever: starts the backfill child, runs the default loop on a
 * timer and the agent-state poller as one long heartbeating activity, and obeys operator
 * messages. Cost per workspace-hour: the default loop is ~11 events a tick (12 ticks/h), the
 * poller ~6 events per run (one run per hour) — about 140 events/h, where a timer + activity
 * every 15 s would cost ~2,600.
 */
export async function workspaceWorkflow(input: WorkspaceWorkflowInput): Promise<void> {
  const v2 = patched(MESSAGES_TAKE_EFFECT_PATCH);
  // The mirror (and search attributes) follow status changes while the default job runs, not after it.
  const mirrorLive = v2 && patched(MIRROR_WHILE_JOBS_RUN_PATCH);
  const progressMirror = patched(PROGRESS_MIRROR_PATCH);
  const deletionsAndUpgrade = patched(DELETIONS_AND_UPGRADE_PATCH);
  const rareHeartbeats = v2 && patched(POLLER_RARE_HEARTBEATS_PATCH);
  const cadence: Cadence = { ...DEFAULT_CADENCE, ...input.cadence };
  const retention: Retention = { ...DEFAULT_RETENTION, ...input.retention };
  const { quick, incremental } = workspaceProxies(input.retry);
  const tuning: BackfillTuning = { ...DEFAULT_BACKFILL, ...input.backfill };
  const { workspaceId } = input;
  const self = workflowInfo().workflowId;
  const s: WorkspaceState = input.state ?? {
    paused: false,
    needsReauth: false,
    disconnected: false,
    catalogDue: true,
    defaultCursorSec: Math.floor(input.connectedAt / 1000),
    nextDefaultAt: Date.now() + cadence.defaultMs,
    backfill: emptyBackfill(null),
    resync: null,
    resyncCount: 0,
    pendingResync: null,
    jobs: { default: emptyJob(), agent_states: emptyJob(), catalog: emptyJob() },
    childrenRunning: true,
    authEpoch: 0,
  };

  // Each run counts stale rows once more (one database count): rows an older worker wrote during a
  // rolling deploy are refetched too.
  if (deletionsAndUpgrade && s.upgrade?.done) s.upgrade = { ...s.upgrade, done: false, remaining: null, after: null };

  const status = (): SyncStatus => {
    if (s.disconnected) return 'Disconnected';
    if (s.needsReauth) return 'Needs reauthorization';
    if (s.paused) return 'Paused';
    if (s.backfill.childId === null && s.jobs.catalog.runs === 0) return 'Connected';
    if (!s.backfill.done || s.pendingResync || (s.resync && !s.resync.done)) return 'Sync in progress';
    return 'Synced';
  };
  const currentError = (): { lastError: string | null; errorClass: ErrorClass | null } => {
    if (s.tokenDeleted) {
      return {
        lastError: `the token was deleted after ${formatDuration(retention.needsReauthTokenMs)} in Needs reauthorization (retention); connect the workspace again to resume`,
        errorClass: 'auth',
      };
    }
    if (s.controlError) return s.controlError;
    const jobs = [s.backfill, s.resync, s.jobs.default, s.jobs.agent_states, s.jobs.catalog].filter((j): j is JobStatus => j !== null && j.lastError !== null);
    // The one an operator must act on first: a credentials problem.
    const job = jobs.find((j) => j.errorClass === 'auth') ?? jobs[0];
    return job ? { lastError: job.lastError, errorClass: job.errorClass ?? 'internal' } : { lastError: null, errorClass: null };
  };
  const view = (): WorkspaceStatusView => ({
    workspaceId,
    status: status(),
    ...currentError(),
    jobs: {
      backfill: s.backfill,
      resync: s.resync,
      default: s.jobs.default,
      agent_states: s.jobs.agent_states,
      catalog: s.jobs.catalog,
      ...(s.deletions ? { deletions: s.deletions } : {}),
      ...(s.upgrade ? { upgrade: s.upgrade } : {}),
    },
  });

  // Handlers only flip state; the main loop below acts on it. pause, resume and disconnect then
  // wait until the main loop reports the effect applied (gate closed or opened, jobs cancelled,
  // token deleted), so that when the update returns, it has taken effect.
  let requested = 0;
  let applied = 0;
  const takeEffect = async (): Promise<WorkspaceStatusView> => {
    const n = ++requested;
    if (v2) await condition(() => applied >= n);
    return view();
  };
  const active = () => !s.disconnected;
  setHandler(statusQuery, view);
  setHandler(pauseUpdate, () => ((s.paused = true), takeEffect()), { validator: () => assertActive(active()) });
  setHandler(resumeUpdate, () => ((s.paused = false), takeEffect()), { validator: () => assertActive(active()) });
  setHandler(
    resyncUpdate,
    (req) => {
      s.pendingResync = { ...req };
      s.catalogDue = true;
      return view();
    },
    {
      validator: (req) => {
        assertActive(active());
        validateResync(req, Date.now());
      },
    },
  );
  setHandler(disconnectUpdate, () => ((s.disconnected = true), takeEffect()), { validator: () => assertActive(active()) });
  // Webhooks: a wake only flips a flag the loop reads (the run starts at once unless one is running).
  let wakeRequested = false;
  // Woken runs start at most every WAKE_MIN_GAP_MS: a steady stream of webhooks cannot chain runs back to back.
  let lastDefaultStart = 0;
  setHandler(wakeDefaultSignal, () => {
    wakeRequested = true;
  });
  // A confirmed uninstall: the same state as an activity's 401 (the loop stops the jobs, closes the gate).
  setHandler(credentialsRevokedSignal, () => {
    if (s.disconnected || s.needsReauth) return;
    s.needsReauth = true;
    s.jobs.default.lastError = 'the app was uninstalled in Intercom (confirmed: Intercom refuses the stored token)';
    s.jobs.default.errorClass = 'auth';
  });
  setHandler(reauthorizedSignal, () => {
    s.needsReauth = false;
    s.authEpoch += 1;
    s.needsReauthSince = null;
    s.tokenDeleted = false;
    // A catalog that failed on the old credentials runs again with the new ones.
    if (v2 && isAuthProblem(s.jobs.catalog)) s.catalogDue = true;
    // What the old credentials failed on is no longer the workspace's problem.
    for (const job of [s.backfill, s.resync, s.jobs.default, s.jobs.agent_states, s.jobs.catalog]) if (job && isAuthProblem(job)) clearError(job);
  });
  setHandler(backfillProgressSignal, (p) => {
    // A report from before the latest reauthorization does not bring back its auth error.
    const stale = p.epoch < s.authEpoch && (p.authFailed || p.errorClass === 'auth');
    if (p.childId === s.backfill.childId) applyProgress(s.backfill, p, stale);
    else if (s.resync && p.childId === s.resync.childId) applyProgress(s.resync, p, stale);
    if (p.authFailed && p.epoch === s.authEpoch) s.needsReauth = true;
  });

  let lastAttrs = '';
  function publishSearchAttributes(): void {
    const percent = Math.floor(s.backfill.done ? 100 : s.backfill.percent);
    const errorClass = currentError().errorClass ?? '';
    const key = v2 ? `${status()}|${percent}|${errorClass}` : `${status()}|${percent}`;
    if (key === lastAttrs) return;
    lastAttrs = key;
    upsertSearchAttributes([
      { key: WORKSPACE_ID, value: workspaceId },
      { key: SYNC_STATUS, value: status() },
      { key: BACKFILL_PERCENT, value: percent },
      ...(v2 ? [{ key: SYNC_ERROR, value: errorClass }] : []),
    ]);
  }

  /**
   * v2: infrastructure writes (status mirror, disconnect, retention) are retried until they land,
   * the error shown meanwhile; a workspace workflow never fails because its database was away.
   */
  async function persist<T>(what: string, work: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        const r = await work();
        if (s.controlError) s.controlError = null;
        return r;
      } catch (err) {
        if (!v2 || isCancellation(err)) throw err;
        s.controlError = { lastError: `${what}: ${describe(err)}`, errorClass: classOf(err) };
        publishSearchAttributes();
        await sleep(30_000);
      }
    }
  }

  let lastDbStatus: string | null = null;
  let lastProgressStep: number | null = null;
  const mirrorKey = (): string => {
    const err = currentError();
    return v2 ? `${status()}|${err.errorClass ?? ''}|${err.lastError ?? ''}` : status();
  };
  async function mirrorStatus(): Promise<void> {
    const current = status();
    const err = currentError();
    const key = mirrorKey();
    // Progress is written in 10% steps (and with every status change): at most ten more activities per backfill.
    const b = s.backfill;
    const backfill = { percent: Math.floor(b.done ? 100 : b.percent), stored: b.conversationsStored, etaSeconds: b.done ? null : b.etaSeconds };
    const step = progressMirror ? Math.floor(backfill.percent / 10) : null;
    if (key === lastDbStatus && step === lastProgressStep) return;
    // The database copy also gates the rate limiter: no request leaves a paused workspace, even
    // from an activity that is still running on another worker.
    await persist('status mirror', () => quick.setWorkspaceStatus({ workspaceId, status: current, ...(v2 ? err : {}), ...(progressMirror ? { backfill } : {}) }));
    lastDbStatus = key;
    lastProgressStep = step;
  }

  let epochSent = s.authEpoch;
  async function controlChildren(run: boolean): Promise<void> {
    if (s.childrenRunning === run && epochSent === s.authEpoch) return;
    s.childrenRunning = run;
    epochSent = s.authEpoch;
    for (const job of [s.backfill, s.resync]) {
      if (!job?.childId || job.done) continue;
      try {
        await getExternalWorkflowHandle(job.childId).signal(backfillControlSignal, { run, epoch: s.authEpoch });
      } catch {
        // A finished child needs no control.
      }
    }
  }

  async function startBackfill(job: 'backfill' | 'resync', childId: string, fromSec: number, toSec: number, force: boolean): Promise<void> {
    await startChild(backfillWorkflow, {
      workflowId: childId,
      args: [{ workspaceId, parentWorkflowId: self, fromSec, toSec, force, tuning, epoch: s.authEpoch }],
      // The child outlives this run's continue-as-new; it reports progress by signal.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      staticSummary: `${job} of ${workspaceId}: ${new Date(fromSec * 1000).toISOString().slice(0, 10)} to ${new Date(toSec * 1000).toISOString().slice(0, 10)}`,
      typedSearchAttributes: [{ key: WORKSPACE_ID, value: workspaceId }],
    });
  }

  const connectedSec = Math.floor(input.connectedAt / 1000);
  const fiveYearsBack = connectedSec - Math.round(tuning.years * 365.25 * 86400);

  async function ensureBackfill(): Promise<void> {
    if (s.backfill.childId === null) {
      const id = backfillChildId(workspaceId);
      await startBackfill('backfill', id, fiveYearsBack, connectedSec, false);
      s.backfill.childId = id;
    }
    if (s.pendingResync) {
      const req = s.pendingResync;
      s.pendingResync = null;
      if (s.resync?.childId && !s.resync.done) {
        // A newer resync supersedes the running one.
        await getExternalWorkflowHandle(s.resync.childId).cancel().catch(() => undefined);
      }
      s.resyncCount += 1;
      const id = resyncChildId(workspaceId, s.resyncCount);
      const toSec = req.toSec ?? Math.floor(Date.now() / 1000);
      await startBackfill('resync', id, req.fromSec ?? toSec - Math.round(tuning.years * 365.25 * 86400), toSec, true);
      s.resync = emptyBackfill(id);
    }
  }

  /**
   * Runs one job and records its outcome. Activities retry transient failures themselves; what
   * arrives here is final for this run (auth, no credentials, cancellation). It is recorded,
   * never thrown: a workspace workflow must not fail because one job did.
   */
  async function runJob<T>(job: JobStatus, work: () => Promise<T>, cursor: (r: T) => string | null): Promise<T | null> {
    const epoch = s.authEpoch;
    try {
      const result = await work();
      job.runs += 1;
      job.lastSuccessAt = Date.now();
      job.lastError = null;
      job.errorClass = null;
      job.cursor = cursor(result);
      return result;
    } catch (err) {
      if (isCancellation(err)) throw err;
      // A failure of work started with credentials that were replaced meanwhile is stale.
      const stale = needsCredentials(err) && epoch !== s.authEpoch;
      if (!stale || !v2) {
        job.lastError = describe(err);
        job.errorClass = classOf(err);
      }
      if (needsCredentials(err) && !stale) s.needsReauth = true;
      return null;
    }
  }

  /** v2: a job the main loop awaits, in a scope that pause, reauthorization and disconnect cancel at once. */
  const interrupted = () => s.disconnected || s.paused || s.needsReauth;
  async function runInterruptible<T>(job: JobStatus, work: () => Promise<T>, cursor: (r: T) => string | null): Promise<{ result: T | null } | 'interrupted'> {
    if (!v2) return { result: await runJob(job, work, cursor) };
    let outcome: { result: T | null } | 'interrupted' | undefined;
    const scope = new CancellationScope();
    scope.run(() => runJob(job, work, cursor)).then(
      (result) => (outcome = { result }),
      () => (outcome = 'interrupted'),
    );
    for (;;) {
      await condition(() => outcome !== undefined || interrupted() || (mirrorLive && mirrorKey() !== lastDbStatus));
      if (outcome !== undefined || interrupted()) break;
      await mirrorStatus();
      publishSearchAttributes();
    }
    if (outcome === undefined) {
      scope.cancel();
      await condition(() => outcome !== undefined);
    }
    return outcome as { result: T | null } | 'interrupted';
  }

  /** v2: the catalog runs beside the loops (a catalog stuck in retries holds nothing else up). */
  let catalogScope: CancellationScope | null = null;
  let catalogRunning = false;
  function startCatalog(): void {
    if (catalogRunning) return;
    s.catalogDue = false;
    catalogRunning = true;
    const scope = new CancellationScope();
    catalogScope = scope;
    scope
      .run(() =>
        runJob(
          s.jobs.catalog,
          () => quick.syncCatalog.executeWithOptions({ summary: 'catalog: teams, tags, admins' }, [{ workspaceId }]),
          (r) => `${r.agents} agents, ${r.teams} teams, ${r.queues} queues`,
        ),
      )
      .catch(() => {
        // Cancelled by a pause, a reauthorization or a disconnect: it runs again when work resumes.
        s.catalogDue = true;
      })
      .finally(() => {
        catalogRunning = false;
      });
  }
  async function stopCatalog(): Promise<void> {
    if (!catalogRunning || !catalogScope) return;
    catalogScope.cancel();
    await condition(() => !catalogRunning);
  }

  // The agent-state poller runs in its own scope so pause, reauthorization and continue-as-new can stop it.
  let pollerScope: CancellationScope | null = null;
  let pollerDone = true;
  const pollerHeartbeatTimeoutMs = cadence.agentPollerHeartbeatTimeoutMs ?? DEFAULT_POLLER_HEARTBEAT_TIMEOUT_MS;
  const pollActs = rareHeartbeats ? rarePoller(cadence.agentPollerRunMs, pollerHeartbeatTimeoutMs, input.retry) : pollerActivities(cadence.agentPollerRunMs, cadence.agentStatesMs, input.retry);
  /** rareHeartbeats: a poller whose last poll is older than this (its worker died) is restarted by the default loop. */
  const pollerStaleMs = Math.max(30_000, 4 * cadence.agentStatesMs);
  let pollerStartedAt = 0;
  function startPoller(): void {
    if (!pollerDone) return;
    // A failed run is not restarted in a loop: the next default tick tries again.
    if (s.pollerRetryAt && Date.now() < s.pollerRetryAt) return;
    s.pollerRetryAt = null;
    pollerDone = false;
    pollerStartedAt = Date.now();
    const scope = new CancellationScope();
    pollerScope = scope;
    scope
      .run(() =>
        runJob(
          s.jobs.agent_states,
          () =>
            pollActs.pollAgentStates.executeWithOptions({ summary: `agent_states: GET /admins every ${cadence.agentStatesMs / 1000}s` }, [
              {
                workspaceId,
                intervalMs: cadence.agentStatesMs,
                maxDurationMs: cadence.agentPollerRunMs,
                ...(rareHeartbeats ? { heartbeatEveryMs: Math.floor(pollerHeartbeatTimeoutMs / 2) } : {}),
              },
            ]),
          (r) => (r.lastPollAt ? new Date(r.lastPollAt).toISOString() : s.jobs.agent_states.cursor),
        ),
      )
      .then((r) => {
        if (v2 && r === null && !s.needsReauth) s.pollerRetryAt = Date.now() + cadence.defaultMs;
        // rareHeartbeats: it ended at a closed gate the workflow did not close (or lost its lease): not again before the next default tick.
        if (rareHeartbeats && r?.endedBy) s.pollerRetryAt = Date.now() + cadence.defaultMs;
      })
      .catch((err: unknown) => {
        if (!isCancellation(err)) s.jobs.agent_states.lastError = describe(err);
      })
      .finally(() => {
        pollerDone = true;
      });
  }
  async function stopPoller(): Promise<void> {
    if (pollerDone || !pollerScope) return;
    pollerScope.cancel();
    await condition(() => pollerDone);
  }

  function cancelBackgroundJobs(): void {
    if (catalogRunning) catalogScope?.cancel();
    if (!pollerDone) pollerScope?.cancel();
  }
  const pollerStartable = () => pollerDone && !(s.pollerRetryAt && Date.now() < s.pollerRetryAt);
  const errorKey = () => (v2 ? `|${currentError().errorClass ?? ''}|${currentError().lastError ?? ''}` : '');

  publishSearchAttributes();
  while (!s.disconnected) {
    const runnable = !s.paused && !s.needsReauth;
    // The messages this pass acts on: their updates return once it has.
    const seq = requested;
    if (v2 && !runnable) {
      // Stop first: the cancellations leave with the same workflow task as the gate's closing.
      cancelBackgroundJobs();
    }
    await mirrorStatus();
    await controlChildren(runnable);
    if (!runnable) {
      await stopPoller();
      if (v2) await stopCatalog();
      publishSearchAttributes();
      applied = seq;
      if (v2 && s.needsReauth) {
        s.needsReauthSince ??= Date.now();
        if (!s.tokenDeleted) {
          const left = s.needsReauthSince + retention.needsReauthTokenMs - Date.now();
          if (left <= 0) {
            await persist('retention: deleting the token', () => quick.deleteWorkspaceToken({ workspaceId }));
            s.tokenDeleted = true;
            continue;
          }
          await condition(() => s.disconnected || (!s.paused && !s.needsReauth) || requested > applied, left);
          continue;
        }
      }
      await condition(() => s.disconnected || (!s.paused && !s.needsReauth) || (v2 && requested > applied));
      continue;
    }
    applied = seq;
    await ensureBackfill();
    // A catalog that failed runs again at the next default tick.
    if (v2 && s.jobs.catalog.lastError !== null && !catalogRunning && Date.now() >= s.nextDefaultAt) s.catalogDue = true;
    if (s.catalogDue) {
      if (v2) startCatalog();
      else {
        s.catalogDue = false;
        await runJob(
          s.jobs.catalog,
          () => quick.syncCatalog.executeWithOptions({ summary: 'catalog: teams, tags, admins' }, [{ workspaceId }]),
          (r) => `${r.agents} agents, ${r.teams} teams, ${r.queues} queues`,
        );
      }
    }
    if (!s.needsReauth) startPoller();
    const woken = wakeRequested && patched('webhook-wake') && Date.now() >= lastDefaultStart + WAKE_MIN_GAP_MS;
    if (!s.needsReauth && (Date.now() >= s.nextDefaultAt || woken)) {
      wakeRequested = false;
      lastDefaultStart = Date.now();
      const run = await runInterruptible(
        s.jobs.default,
        () =>
          incremental.syncUpdatedConversations.executeWithOptions({ summary: `default: updated since ${new Date(s.defaultCursorSec * 1000).toISOString()}` }, [
            { workspaceId, sinceSec: s.defaultCursorSec },
          ]),
        (res) => String(res.cursorSec),
      );
      // Interrupted (pause, reauthorization, disconnect): it runs again as soon as work resumes.
      if (run === 'interrupted') continue;
      const r = run.result;
      if (r) s.defaultCursorSec = r.cursorSec;
      if (rareHeartbeats && r && !pollerDone && Date.now() - pollerStartedAt > pollerStaleMs) {
        const polledAt = r.agentsPolledAt ?? 0;
        if (Date.now() - polledAt > pollerStaleMs) {
          // Its worker died (or it hangs): a new run takes the lease over; the old one, if alive, ends at its next tick.
          await stopPoller();
          startPoller();
        }
      }
      if (r?.failed) {
        s.jobs.default.lastError = `${r.failed} conversation(s) passed over: Intercom's answer broke the contract (table sync_errors; a resync retries them)`;
        s.jobs.default.errorClass = 'contract';
      }
      s.nextDefaultAt = Date.now() + cadence.defaultMs;
      if (deletionsAndUpgrade) {
        // Interrupted: it runs again at the next tick.
        await runDeletionsAndUpgrade(workspaceId, tuning.years, cadence, (s.deletions ??= emptyDeletions()), (s.upgrade ??= emptyUpgrade()), incremental, runInterruptible);
      }
    }
    publishSearchAttributes();
    if (v2) await mirrorStatus();
    if (workflowInfo().continueAsNewSuggested) {
      await stopPoller();
      if (v2 && catalogRunning) {
        await stopCatalog();
        s.catalogDue = true;
      }
      // A pause or disconnect waiting for this loop is acted on first (its handler waits for the loop).
      await condition(() => allHandlersFinished() || (v2 && requested > applied));
      if (v2 && requested > applied) continue;
      return continueAsNew<typeof workspaceWorkflow>({ ...input, state: s });
    }
    const snapshot = stateKey(s) + errorKey();
    const wakeAt = Math.min(s.nextDefaultAt, s.pollerRetryAt ?? Infinity);
    const wakeArmed = wakeRequested;
    await condition(
      () =>
        s.disconnected ||
        s.paused ||
        s.needsReauth ||
        s.pendingResync !== null ||
        (s.catalogDue && !catalogRunning) ||
        pollerStartable() ||
        (v2 && requested > applied) ||
        // A wake that arrives during this wait ends it (the timeout below did not count on it);
        // one already pending is covered by that timeout (the gap's end), so the loop never spins.
        (wakeRequested && (!wakeArmed || Date.now() >= lastDefaultStart + WAKE_MIN_GAP_MS)) ||
        stateKey(s) + errorKey() !== snapshot,
      Math.max(1, Math.min(wakeAt, wakeArmed ? lastDefaultStart + WAKE_MIN_GAP_MS : Infinity) - Date.now()),
    );
  }

  // Disconnected: stop every job, then delete the token.
  if (v2) {
    cancelBackgroundJobs();
    await stopCatalog();
  }
  await stopPoller();
  for (const job of [s.backfill, s.resync]) {
    if (job?.childId && !job.done) await getExternalWorkflowHandle(job.childId).cancel().catch(() => undefined);
  }
  await persist('disconnect', () => quick.disconnectWorkspace({ workspaceId }));
  await mirrorStatus();
  publishSearchAttributes();
  applied = requested;
  await condition(allHandlersFinished);
}

/** The shortest time between two webhook-woken default runs. */
const WAKE_MIN_GAP_MS = 2_000;

function assertActive(active: boolean): void {
  if (!active) throw ApplicationFailure.nonRetryable('the workspace is disconnected; connect it again first', 'WorkspaceDisconnected');
}

function applyProgress(job: BackfillJobStatus, p: BackfillProgress, staleError: boolean): void {
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

function isAuthProblem(job: JobStatus): boolean {
  return job.lastError !== null && (job.errorClass === 'auth' || (job.errorClass === undefined && /IntercomAuthError|WorkspaceDisconnected|HTTP 40[13]/.test(job.lastError)));
}

function clearError(job: JobStatus): void {
  job.lastError = null;
  job.errorClass = null;
}

function formatDuration(ms: number): string {
  if (ms >= 86_400_000) return `${Math.round(ms / 86_400_000)} day(s)`;
  if (ms >= 3_600_000) return `${Math.round(ms / 3_600_000)} hour(s)`;
  return `${Math.round(ms / 1000)} s`;
}

/** Progress changes that should wake the loop (search attributes, status mirror). */
function stateKey(s: WorkspaceState): string {
  return `${s.backfill.done}|${Math.floor(s.backfill.percent)}|${s.resync?.done ?? ''}`;
}
