import {
  allHandlersFinished,
  CancellationScope,
  condition,
  patched,
  continueAsNew,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  WorkflowIdReusePolicy,
  ApplicationFailure,
} from '@temporalio/workflow';
import { BACKFILL_PERCENT, SYNC_STATUS, WORKSPACE_ID } from '../src/temporal/searchAttributes';
import { incremental, poller as pollerActivities, quick } from './activityProxies';
import { backfillWorkflow } from './backfill';
import { describe, isCancellation, needsCredentials } from './failures';
import { backfillControlSignal, backfillProgressSignal, credentialsRevokedSignal, disconnectUpdate, pauseUpdate, reauthorizedSignal, resumeUpdate, resyncUpdate, statusQuery, wakeDefaultSignal } from './messages';
import type { BackfillJobStatus, BackfillProgress, BackfillTuning, Cadence, JobStatus, ResyncRequest, SyncStatus, WorkspaceStatusView } from './types';
import { backfillChildId, resyncChildId } from './ids';

export interface WorkspaceWorkflowInput {
  workspaceId: string;
  /** Epoch ms of the first connection: the backfill covers `years` before it. */
  connectedAt: number;
  cadence?: Partial<Cadence>;
  backfill?: Partial<BackfillTuning>;
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
}

export const DEFAULT_CADENCE: Cadence = { defaultMs: 5 * 60_000, agentStatesMs: 15_000, agentPollerRunMs: 60 * 60_000 };
export const DEFAULT_BACKFILL: BackfillTuning = {
  years: 5,
  initialWindowSec: 86400,
  targetPerWindow: 1500,
  parallelism: 2,
  windowsPerRun: 25,
  heartbeatTimeoutMs: 30_000,
};

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
  const cadence: Cadence = { ...DEFAULT_CADENCE, ...input.cadence };
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

  const status = (): SyncStatus => {
    if (s.disconnected) return 'Disconnected';
    if (s.needsReauth) return 'Needs reauthorization';
    if (s.paused) return 'Paused';
    if (s.backfill.childId === null && s.jobs.catalog.runs === 0) return 'Connected';
    if (!s.backfill.done || s.pendingResync || (s.resync && !s.resync.done)) return 'Sync in progress';
    return 'Synced';
  };
  const view = (): WorkspaceStatusView => ({
    workspaceId,
    status: status(),
    jobs: { backfill: s.backfill, resync: s.resync, default: s.jobs.default, agent_states: s.jobs.agent_states, catalog: s.jobs.catalog },
  });

  // Handlers only flip state; the main loop below acts on it.
  const active = () => !s.disconnected;
  setHandler(statusQuery, view);
  setHandler(pauseUpdate, () => ((s.paused = true), view()), { validator: () => assertActive(active()) });
  setHandler(resumeUpdate, () => ((s.paused = false), view()), { validator: () => assertActive(active()) });
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
  setHandler(disconnectUpdate, () => ((s.disconnected = true), view()), { validator: () => assertActive(active()) });
  // Webhooks: a wake only flips a flag the loop reads (the run starts at once unless one is running).
  let wakeRequested = false;
  // Woken runs start at most every WAKE_MIN_GAP_MS: a steady stream of webhooks cannot chain runs back to back.
  let lastDefaultStart = 0;
  setHandler(wakeDefaultSignal, () => {
    wakeRequested = true;
  });
  // A confirmed uninstall: the same state as an activity's 401 (the loop stops the jobs, closes the gate).
  setHandler(credentialsRevokedSignal, () => {
    if (!s.disconnected) s.needsReauth = true;
  });
  setHandler(reauthorizedSignal, () => {
    s.needsReauth = false;
    s.authEpoch += 1;
  });
  setHandler(backfillProgressSignal, (p) => {
    if (p.childId === s.backfill.childId) applyProgress(s.backfill, p);
    else if (s.resync && p.childId === s.resync.childId) applyProgress(s.resync, p);
    if (p.authFailed && p.epoch === s.authEpoch) s.needsReauth = true;
  });

  let lastAttrs = '';
  function publishSearchAttributes(): void {
    const percent = Math.floor(s.backfill.done ? 100 : s.backfill.percent);
    const key = `${status()}|${percent}`;
    if (key === lastAttrs) return;
    lastAttrs = key;
    upsertSearchAttributes([
      { key: WORKSPACE_ID, value: workspaceId },
      { key: SYNC_STATUS, value: status() },
      { key: BACKFILL_PERCENT, value: percent },
    ]);
  }

  let lastDbStatus: SyncStatus | null = null;
  async function mirrorStatus(): Promise<void> {
    const current = status();
    if (current === lastDbStatus) return;
    // The database copy also gates the rate limiter: no request leaves a paused workspace, even
    // from an activity that is still running on another worker.
    await quick.setWorkspaceStatus({ workspaceId, status: current });
    lastDbStatus = current;
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
      job.cursor = cursor(result);
      return result;
    } catch (err) {
      if (isCancellation(err)) throw err;
      job.lastError = describe(err);
      // A failure of work started with credentials that were replaced meanwhile is stale.
      if (needsCredentials(err) && epoch === s.authEpoch) s.needsReauth = true;
      return null;
    }
  }

  // The agent-state poller runs in its own scope so pause, reauthorization and continue-as-new can stop it.
  let pollerScope: CancellationScope | null = null;
  let pollerDone = true;
  const pollActs = pollerActivities(cadence.agentPollerRunMs, cadence.agentStatesMs);
  function startPoller(): void {
    if (!pollerDone) return;
    pollerDone = false;
    const scope = new CancellationScope();
    pollerScope = scope;
    scope
      .run(() =>
        runJob(
          s.jobs.agent_states,
          () =>
            pollActs.pollAgentStates.executeWithOptions({ summary: `agent_states: GET /admins every ${cadence.agentStatesMs / 1000}s` }, [
              { workspaceId, intervalMs: cadence.agentStatesMs, maxDurationMs: cadence.agentPollerRunMs },
            ]),
          (r) => (r.lastPollAt ? new Date(r.lastPollAt).toISOString() : s.jobs.agent_states.cursor),
        ),
      )
      .catch((err: unknown) => {
        if (!CancellationScope.current().consideredCancelled) s.jobs.agent_states.lastError = describe(err);
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

  publishSearchAttributes();
  while (!s.disconnected) {
    const runnable = !s.paused && !s.needsReauth;
    await mirrorStatus();
    await controlChildren(runnable);
    if (!runnable) {
      await stopPoller();
      publishSearchAttributes();
      await condition(() => s.disconnected || (!s.paused && !s.needsReauth));
      continue;
    }
    await ensureBackfill();
    if (s.catalogDue) {
      s.catalogDue = false;
      await runJob(
        s.jobs.catalog,
        () => quick.syncCatalog.executeWithOptions({ summary: 'catalog: teams, tags, admins' }, [{ workspaceId }]),
        (r) => `${r.agents} agents, ${r.teams} teams, ${r.queues} queues`,
      );
    }
    if (!s.needsReauth) startPoller();
    const woken = wakeRequested && patched('webhook-wake') && Date.now() >= lastDefaultStart + WAKE_MIN_GAP_MS;
    if (!s.needsReauth && (Date.now() >= s.nextDefaultAt || woken)) {
      wakeRequested = false;
      lastDefaultStart = Date.now();
      const r = await runJob(
        s.jobs.default,
        () =>
          incremental.syncUpdatedConversations.executeWithOptions({ summary: `default: updated since ${new Date(s.defaultCursorSec * 1000).toISOString()}` }, [
            { workspaceId, sinceSec: s.defaultCursorSec },
          ]),
        (res) => String(res.cursorSec),
      );
      if (r) s.defaultCursorSec = r.cursorSec;
      if (r?.failed) s.jobs.default.lastError = `${r.failed} conversation(s) passed over: Intercom's answer broke the contract (table sync_errors; a resync retries them)`;
      s.nextDefaultAt = Date.now() + cadence.defaultMs;
    }
    publishSearchAttributes();
    if (workflowInfo().continueAsNewSuggested) {
      await stopPoller();
      await condition(allHandlersFinished);
      return continueAsNew<typeof workspaceWorkflow>({ ...input, state: s });
    }
    const snapshot = stateKey(s);
    await condition(
      () => s.disconnected || s.paused || s.needsReauth || s.pendingResync !== null || s.catalogDue || pollerDone || (wakeRequested && Date.now() >= lastDefaultStart + WAKE_MIN_GAP_MS) || stateKey(s) !== snapshot,
      Math.max(1, Math.min(s.nextDefaultAt, wakeRequested ? lastDefaultStart + WAKE_MIN_GAP_MS : Infinity) - Date.now()),
    );
  }

  // Disconnected: stop every job, then delete the token.
  await stopPoller();
  for (const job of [s.backfill, s.resync]) {
    if (job?.childId && !job.done) await getExternalWorkflowHandle(job.childId).cancel().catch(() => undefined);
  }
  await quick.disconnectWorkspace({ workspaceId });
  await mirrorStatus();
  publishSearchAttributes();
  await condition(allHandlersFinished);
}

/** The shortest time between two webhook-woken default runs. */
const WAKE_MIN_GAP_MS = 2_000;

function assertActive(active: boolean): void {
  if (!active) throw ApplicationFailure.nonRetryable('the workspace is disconnected; connect it again first', 'WorkspaceDisconnected');
}

function applyProgress(job: BackfillJobStatus, p: BackfillProgress): void {
  job.percent = p.percent;
  job.conversationsStored = p.stored;
  job.etaSeconds = p.etaSeconds;
  job.done = p.done;
  job.cursor = new Date(p.coveredDownToSec * 1000).toISOString();
  job.lastError = p.lastError;
  job.runs += 1;
  if (!p.lastError) job.lastSuccessAt = Date.now();
}

/** Progress changes that should wake the loop (search attributes, status mirror). */
function stateKey(s: WorkspaceState): string {
  return `${s.backfill.done}|${Math.floor(s.backfill.percent)}|${s.resync?.done ?? ''}`;
}
