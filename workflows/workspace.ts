import { allHandlersFinished, ApplicationFailure, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { workspaceProxies } from './activityProxies';
import { AgentStatesJob } from './jobs/agentStates';
import { BackfillChildren } from './jobs/backfills';
import { CatalogJob } from './jobs/catalog';
import { DefaultSyncJob } from './jobs/defaultSync';
import { DeletionsJob } from './jobs/deletions';
import type { Job, JobContext } from './jobs/job';
import { JobRunner } from './jobs/run';
import { backfillProgressSignal, credentialsRevokedSignal, disconnectUpdate, pauseUpdate, reauthorizedSignal, resumeUpdate, resyncUpdate, statusQuery, wakeDefaultSignal } from './messages';
import { workspacePatches } from './patches';
import { StatusMirror } from './statusMirror';
import type { BackfillTuning, Cadence, ResyncRequest, Retention, RetryTuning, WorkspaceStatusView } from './types';
import { applyProgress, clearAuthErrors, initialState, isAuthProblem, progressKey, statusView, type WorkspaceState } from './workspaceState';

export type { WorkspaceState } from './workspaceState';
export { DEFAULT_POLLER_HEARTBEAT_TIMEOUT_MS } from './jobs/agentStates';

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
 *
 * The jobs are in workflows/jobs/ (one class each, the shape in jobs/job.ts); what outlives a run
 * is the WorkspaceState (workflows/workspaceState.ts); what may change the command sequence is a
 * patch (workflows/patches.ts).
 */
export async function workspaceWorkflow(input: WorkspaceWorkflowInput): Promise<void> {
  const patches = workspacePatches();
  const { v2 } = patches;
  const cadence: Cadence = { ...DEFAULT_CADENCE, ...input.cadence };
  const retention: Retention = { ...DEFAULT_RETENTION, ...input.retention };
  const acts = workspaceProxies(input.retry);
  const tuning: BackfillTuning = { ...DEFAULT_BACKFILL, ...input.backfill };
  const { workspaceId } = input;
  const s: WorkspaceState = input.state ?? initialState(input.connectedAt, Date.now() + cadence.defaultMs);
  const view = (): WorkspaceStatusView => statusView(workspaceId, s, retention);

  const mirror = new StatusMirror(s, workspaceId, retention, patches, acts.database);
  const run = new JobRunner(s, patches, mirror);
  const ctx: JobContext = { workspaceId, s, cadence, tuning, connectedAt: input.connectedAt, retry: input.retry, patches, acts, run, mirror };
  const catalog = new CatalogJob(ctx);
  const agentStates = new AgentStatesJob(ctx);
  const defaultSync = new DefaultSyncJob(ctx, agentStates);
  const deletions = new DeletionsJob(ctx, defaultSync);

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
  setHandler(wakeDefaultSignal, () => defaultSync.wake());
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
    clearAuthErrors(s);
  });
  setHandler(backfillProgressSignal, (p) => {
    // A report from before the latest reauthorization does not bring back its auth error.
    const stale = p.epoch < s.authEpoch && (p.authFailed || p.errorClass === 'auth');
    if (p.childId === s.backfill.childId) applyProgress(s.backfill, p, stale);
    else if (s.resync && p.childId === s.resync.childId) applyProgress(s.resync, p, stale);
    if (p.authFailed && p.epoch === s.authEpoch) s.needsReauth = true;
  });
  // After the handlers: a reauthorization delivered with the start is already in the epoch it remembers as sent.
  const backfills = new BackfillChildren(ctx);

  /**
   * Every job, in the order it takes its turn (and its cancellation leaves); stopped in reverse.
   * The order is part of the recorded histories: a new job is appended behind a new patch.
   */
  const jobs: Job[] = [backfills, catalog, agentStates, defaultSync, deletions];
  const cancelAll = () => jobs.forEach((job) => job.cancel());
  const stopAll = async () => {
    for (const job of [...jobs].reverse()) await job.stop();
  };
  const takeTurns = async (): Promise<'ok' | 'interrupted'> => {
    for (const job of jobs) if ((await job.turn()) === 'interrupted') return 'interrupted';
    return 'ok';
  };

  /** Paused or waiting for a reauthorization: wait for a message; the retention clock runs out meanwhile. */
  async function waitWhileStopped(): Promise<void> {
    if (v2 && s.needsReauth) {
      s.needsReauthSince ??= Date.now();
      if (!s.tokenDeleted) {
        const left = s.needsReauthSince + retention.needsReauthTokenMs - Date.now();
        if (left <= 0) {
          await mirror.persist('retention: deleting the token', () => acts.database.deleteWorkspaceToken({ workspaceId }));
          s.tokenDeleted = true;
          return;
        }
        await condition(() => s.disconnected || (!s.paused && !s.needsReauth) || requested > applied, left);
        return;
      }
    }
    await condition(() => s.disconnected || (!s.paused && !s.needsReauth) || (v2 && requested > applied));
  }

  mirror.publishSearchAttributes();
  while (!s.disconnected) {
    const runnable = !s.paused && !s.needsReauth;
    // The messages this pass acts on: their updates return once it has.
    const seq = requested;
    // Stop first: the cancellations leave with the same workflow task as the gate's closing.
    if (v2 && !runnable) cancelAll();
    await mirror.write();
    await backfills.control(runnable);
    if (!runnable) {
      await stopAll();
      mirror.publishSearchAttributes();
      applied = seq;
      await waitWhileStopped();
      continue;
    }
    applied = seq;
    if ((await takeTurns()) === 'interrupted') continue;
    mirror.publishSearchAttributes();
    if (v2) await mirror.write();
    if (workflowInfo().continueAsNewSuggested) {
      for (const job of [...jobs].reverse()) await job.handOver();
      // A pause or disconnect waiting for this loop is acted on first (its handler waits for the loop).
      await condition(() => allHandlersFinished() || (v2 && requested > applied));
      if (v2 && requested > applied) continue;
      return continueAsNew<typeof workspaceWorkflow>({ ...input, state: s });
    }
    const snapshot = progressKey(s) + mirror.errorKey();
    const turns = jobs.map((job) => job.nextTurn());
    await condition(
      () =>
        s.disconnected ||
        s.paused ||
        s.needsReauth ||
        (v2 && requested > applied) ||
        turns.some((t) => t.ready()) ||
        progressKey(s) + mirror.errorKey() !== snapshot,
      Math.max(1, Math.min(...turns.map((t) => t.at)) - Date.now()),
    );
  }

  // Disconnected: stop every job, then delete the token.
  if (v2) cancelAll();
  await stopAll();
  await backfills.cancelChildren();
  await mirror.persist('disconnect', () => acts.database.disconnectWorkspace({ workspaceId }));
  await mirror.write();
  mirror.publishSearchAttributes();
  applied = requested;
  await condition(allHandlersFinished);
}

function assertActive(active: boolean): void {
  if (!active) throw ApplicationFailure.nonRetryable('the workspace is disconnected; connect it again first', 'WorkspaceDisconnected');
}
