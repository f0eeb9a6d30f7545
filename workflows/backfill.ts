import { condition, continueAsNew, getExternalWorkflowHandle, patched, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { SyncWindowResult, WindowCheckpoint } from '../activities/types';
import { checkpointOf, classOf, describe, isCancellation, needsCredentials } from './failures';
import { quick, windows as windowActivities } from './activityProxies';
import { backfillControlSignal, backfillProgressSignal, backfillStatusQuery } from './messages';
import { FAILED_WINDOW_RETRY_PATCH, FINAL_REPORT_RETRIED_PATCH } from './patches';
import type { BackfillProgress, BackfillTuning, ErrorClass } from './types';

export interface BackfillInput {
  workspaceId: string;
  parentWorkflowId: string;
  /** created_at range [fromSec, toSec), Unix seconds, synced newest first. */
  fromSec: number;
  toSec: number;
  /** Refetch conversations that are already stored (a resync). */
  force: boolean;
  tuning: BackfillTuning;
  /** The parent's credentials epoch at start (see BackfillControl). */
  epoch: number;
  state?: BackfillState;
}

interface Window {
  fromSec: number;
  toSec: number;
  checkpoint: WindowCheckpoint | null;
}

/** Carried across continue-as-new: plain JSON, a handful of numbers and at most `parallelism` windows. */
export interface BackfillState {
  nextToSec: number;
  windowSec: number;
  /** Windows to start before planning new ones: interrupted by an auth failure. */
  pending: Window[];
  stored: number;
  /** Conversations the windows went through (stored, ignored, unchanged or gone). */
  processed: number;
  /** Conversations in the whole range, counted once at the start; null until known. */
  total: number | null;
  requests: number;
  windowsDone: number;
  startedAtMs: number;
  running: boolean;
  authFailed: boolean;
  epoch: number;
  lastError: string | null;
  /** The class of lastError; absent in older states. */
  errorClass?: ErrorClass | null;
  /** Conversations passed over because Intercom's answer broke the contract (see sync_errors); absent in older states. */
  failed?: number;
}

const MIN_WINDOW_SEC = 3600;
/** A window that failed for a reason other than credentials starts again from its checkpoint after this long. */
const FAILED_WINDOW_RETRY_MS = 60_000;
const MAX_WINDOW_SEC = 366 * 86400;

/**
 * The checkpointed five-year backfill of one workspace (or a resync of a range). Windows run
 * newest first, `parallelism` at a time; each window's cursor lives in its activity's heartbeat,
 * and the child continues as new every `windowsPerRun` windows once the running ones finished.
 */
export async function backfillWorkflow(input: BackfillInput): Promise<BackfillProgress> {
  const { tuning } = input;
  const s: BackfillState = input.state ?? {
    nextToSec: input.toSec,
    windowSec: tuning.initialWindowSec,
    pending: [],
    stored: 0,
    processed: 0,
    total: null,
    requests: 0,
    windowsDone: 0,
    startedAtMs: Date.now(),
    running: true,
    authFailed: false,
    epoch: input.epoch,
    lastError: null,
  };
  const inflight: Window[] = [];
  const acts = windowActivities(tuning.heartbeatTimeoutMs);
  const childId = workflowInfo().workflowId;

  setHandler(backfillControlSignal, ({ run, epoch }) => {
    s.running = run;
    if (epoch > s.epoch) {
      s.epoch = epoch;
      s.authFailed = false;
      // New credentials: the old ones' failure is no longer the backfill's problem.
      if (s.errorClass === 'auth') {
        s.lastError = null;
        s.errorClass = null;
      }
    }
  });
  setHandler(backfillStatusQuery, () => progress());

  function progress(): BackfillProgress {
    const span = Math.max(1, input.toSec - input.fromSec);
    // Windows are planned newest first, so everything newer than the newest unfinished window is done.
    const unfinished = [...inflight, ...s.pending].map((w) => w.toSec);
    const coveredDownToSec = Math.max(s.nextToSec, ...unfinished);
    const done = coveredDownToSec <= input.fromSec;
    // Conversations are denser in recent years, so counts measure progress better than time does.
    const byTime = Math.min(1, (input.toSec - coveredDownToSec) / span);
    const fraction = done ? 1 : s.total ? Math.min(0.999, s.processed / s.total) : byTime;
    const elapsedSec = (Date.now() - s.startedAtMs) / 1000;
    const failed = s.failed ?? 0;
    return {
      childId,
      fromSec: input.fromSec,
      toSec: input.toSec,
      coveredDownToSec,
      percent: Math.floor(fraction * 1000) / 10,
      stored: s.stored,
      requests: s.requests,
      etaSeconds: done ? 0 : fraction > 0 ? Math.round((elapsedSec * (1 - fraction)) / fraction) : null,
      done,
      authFailed: s.authFailed,
      epoch: s.epoch,
      lastError: s.lastError ?? (failed > 0 ? `${failed} conversation(s) passed over: Intercom's answer broke the contract (table sync_errors; a resync retries them)` : null),
      errorClass: s.lastError !== null ? (s.errorClass ?? null) : failed > 0 ? 'contract' : null,
    };
  }

  async function report(): Promise<void> {
    try {
      await getExternalWorkflowHandle(input.parentWorkflowId).signal(backfillProgressSignal, progress());
    } catch {
      // The parent may have been disconnected; the child's own result still records the progress.
    }
  }

  function planNext(): Window | null {
    const queued = s.pending.shift();
    if (queued) return queued;
    if (s.nextToSec <= input.fromSec) return null;
    const fromSec = Math.max(input.fromSec, s.nextToSec - s.windowSec);
    const w = { fromSec, toSec: s.nextToSec, checkpoint: null };
    s.nextToSec = fromSec;
    return w;
  }

  function finished(w: Window, r: SyncWindowResult): void {
    s.stored += r.stored;
    s.processed += r.stored + r.ignored + r.skipped + r.missing + (r.failed ?? 0);
    s.failed = (s.failed ?? 0) + (r.failed ?? 0);
    s.requests += r.requests;
    s.windowsDone += 1;
    s.lastError = null;
    s.errorClass = null;
    // Size the next windows to about targetPerWindow conversations: whole search pages, few windows.
    const density = r.totalCount / Math.max(1, w.toSec - w.fromSec);
    const ideal = density > 0 ? tuning.targetPerWindow / density : s.windowSec * 4;
    s.windowSec = Math.round(Math.min(MAX_WINDOW_SEC, Math.max(MIN_WINDOW_SEC, Math.min(ideal, s.windowSec * 8))));
  }

  function start(w: Window): void {
    inflight.push(w);
    const summary = `window ${new Date(w.fromSec * 1000).toISOString().slice(0, 10)}..${new Date(w.toSec * 1000).toISOString().slice(0, 10)}`;
    acts.syncConversationWindow
      .executeWithOptions({ summary }, [{ workspaceId: input.workspaceId, fromSec: w.fromSec, toSec: w.toSec, force: input.force, resume: w.checkpoint }])
      .then(
        (r) => finished(w, r),
        async (err: unknown) => {
          const checkpoint = checkpointOf(err) ?? w.checkpoint;
          // A cancellation (pause, reauthorization, the backfill ending) is no error to show.
          if (!isCancellation(err)) {
            s.lastError = describe(err);
            s.errorClass = classOf(err);
          }
          // Any other failure (past its retries, or not retryable: a contract violation, the wrong
          // key, the database away for long) is shown, and the window starts again later from its
          // checkpoint; the other windows carry on meanwhile.
          if (!isCancellation(err) && !needsCredentials(err) && patched(FAILED_WINDOW_RETRY_PATCH)) {
            void report();
            try {
              await sleep(tuning.failedWindowRetryMs ?? FAILED_WINDOW_RETRY_MS);
            } catch {
              // Cancelled: the backfill is ending (disconnect, a newer resync).
            }
            s.pending.unshift({ ...w, checkpoint });
            return;
          }
          // Auth, no credentials, cancellation: keep the window and its cursor, and stop until the
          // parent says the credentials are new.
          s.pending.unshift({ ...w, checkpoint });
          if (!isCancellation(err)) s.authFailed = true;
        },
      )
      .finally(() => {
        inflight.splice(inflight.indexOf(w), 1);
        void report();
      });
  }

  if (s.total === null) {
    s.total = await quick.countConversations({ workspaceId: input.workspaceId, fromSec: input.fromSec, toSec: input.toSec }).catch(() => null);
  }

  let startedThisRun = 0;
  for (;;) {
    const mayStart = () => s.running && !s.authFailed;
    while (mayStart() && inflight.length < tuning.parallelism && startedThisRun < tuning.windowsPerRun) {
      const w = planNext();
      if (!w) break;
      start(w);
      startedThisRun += 1;
    }
    if (inflight.length === 0) {
      if (s.pending.length === 0 && s.nextToSec <= input.fromSec) break;
      if (startedThisRun >= tuning.windowsPerRun || workflowInfo().continueAsNewSuggested) {
        await condition(() => inflight.length === 0);
        return continueAsNew<typeof backfillWorkflow>({ ...input, state: s });
      }
    }
    const before = inflight.length;
    const wasAllowed = mayStart();
    await condition(() => inflight.length < before || mayStart() !== wasAllowed);
  }
  const final = progress();
  if (patched(FINAL_REPORT_RETRIED_PATCH)) await reportFinal(final);
  else await report();
  return final;

  /**
   * The parent learns that the backfill is done only from this signal: one that fails (the parent's
   * run closing in a continue-as-new as it arrives) left it waiting for ever. Retried with backoff;
   * a parent that is gone for good (disconnected) costs a few minutes of this child, no more.
   */
  async function reportFinal(p: BackfillProgress): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await getExternalWorkflowHandle(input.parentWorkflowId).signal(backfillProgressSignal, p);
        return;
      } catch {
        if (attempt >= 8) return;
        await sleep(Math.min(30_000, 1_000 * 2 ** attempt));
      }
    }
  }
}
