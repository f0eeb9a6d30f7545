import { getExternalWorkflowHandle, ParentClosePolicy, startChild, workflowInfo, WorkflowIdReusePolicy } from '@temporalio/workflow';
import { WORKSPACE_ID } from '../../src/temporal/searchAttributes';
import { backfillWorkflow } from '../backfill';
import { backfillChildId, resyncChildId } from '../ids';
import { backfillControlSignal } from '../messages';
import { emptyBackfill } from '../workspaceState';
import { Job, type JobContext, type NextTurn } from './job';

/**
 * The backfill child (five years, once) and resync children (a range, on request). They are
 * workflows of their own that outlive this run (ABANDON) and report progress by signal, so they
 * are not stopped like the jobs beside the loop: pause and resume reach them as a control signal,
 * and a disconnect cancels them.
 */
export class BackfillChildren extends Job {
  private readonly self = workflowInfo().workflowId;
  /** The credentials epoch the children last heard of. */
  private epochSent: number;

  /** Construct after the message handlers are set: a reauthorization delivered with the start is already counted. */
  constructor(ctx: JobContext) {
    super(ctx);
    this.epochSent = ctx.s.authEpoch;
  }

  /** Starts the backfill once, and the resync an operator asked for (a newer one supersedes the running one). */
  async turn(): Promise<'ok' | 'interrupted'> {
    const { s, workspaceId, tuning, connectedAt } = this.ctx;
    const connectedSec = Math.floor(connectedAt / 1000);
    const yearsSec = Math.round(tuning.years * 365.25 * 86400);
    if (s.backfill.childId === null) {
      const id = backfillChildId(workspaceId);
      await this.startChild('backfill', id, connectedSec - yearsSec, connectedSec, false);
      s.backfill.childId = id;
    }
    if (s.pendingResync) {
      const req = s.pendingResync;
      s.pendingResync = null;
      if (s.resync?.childId && !s.resync.done) {
        await getExternalWorkflowHandle(s.resync.childId).cancel().catch(() => undefined);
      }
      s.resyncCount += 1;
      const id = resyncChildId(workspaceId, s.resyncCount);
      const toSec = req.toSec ?? Math.floor(Date.now() / 1000);
      await this.startChild('resync', id, req.fromSec ?? toSec - yearsSec, toSec, true);
      s.resync = emptyBackfill(id);
    }
    return 'ok';
  }

  override nextTurn(): NextTurn {
    return { ready: () => this.ctx.s.pendingResync !== null, at: Infinity };
  }

  /** Tells the children to run or hold (pause, needs reauthorization) and the credentials epoch, when either changed. */
  async control(run: boolean): Promise<void> {
    const { s } = this.ctx;
    if (s.childrenRunning === run && this.epochSent === s.authEpoch) return;
    s.childrenRunning = run;
    this.epochSent = s.authEpoch;
    for (const job of [s.backfill, s.resync]) {
      if (!job?.childId || job.done) continue;
      try {
        await getExternalWorkflowHandle(job.childId).signal(backfillControlSignal, { run, epoch: s.authEpoch });
      } catch {
        // A finished child needs no control.
      }
    }
  }

  /** Disconnect: the children stop for good. */
  async cancelChildren(): Promise<void> {
    const { s } = this.ctx;
    for (const job of [s.backfill, s.resync]) {
      if (job?.childId && !job.done) await getExternalWorkflowHandle(job.childId).cancel().catch(() => undefined);
    }
  }

  private async startChild(job: 'backfill' | 'resync', childId: string, fromSec: number, toSec: number, force: boolean): Promise<void> {
    const { workspaceId, tuning, s } = this.ctx;
    await startChild(backfillWorkflow, {
      workflowId: childId,
      args: [{ workspaceId, parentWorkflowId: this.self, fromSec, toSec, force, tuning, epoch: s.authEpoch }],
      // The child outlives this run's continue-as-new; it reports progress by signal.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      staticSummary: `${job} of ${workspaceId}: ${new Date(fromSec * 1000).toISOString().slice(0, 10)} to ${new Date(toSec * 1000).toISOString().slice(0, 10)}`,
      typedSearchAttributes: [{ key: WORKSPACE_ID, value: workspaceId }],
    });
  }
}
