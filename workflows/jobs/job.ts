import type { workspaceProxies } from '../activityProxies';
import type { WorkspacePatches } from '../patches';
import type { StatusMirror } from '../statusMirror';
import type { BackfillTuning, Cadence, RetryTuning } from '../types';
import type { WorkspaceState } from '../workspaceState';
import type { JobRunner } from './run';

/** What every job of a workspace workflow run shares: its state, settings, activities and the status it reports to. */
export interface JobContext {
  readonly workspaceId: string;
  /** Carried across continue-as-new: what a job must remember between runs lives here. */
  readonly s: WorkspaceState;
  readonly cadence: Cadence;
  readonly tuning: BackfillTuning;
  readonly connectedAt: number;
  readonly retry: Partial<RetryTuning> | undefined;
  readonly patches: WorkspacePatches;
  readonly acts: ReturnType<typeof workspaceProxies>;
  readonly run: JobRunner;
  readonly mirror: StatusMirror;
}

/** What a job tells the main loop before it waits: what should end the wait, and by when at the latest. */
export interface NextTurn {
  ready(): boolean;
  /** Epoch ms; Infinity: no time of its own. */
  at: number;
}

/**
 * One job of a workspace (catalog, backfill children, agent-state poller, default sync, deletions).
 * The main loop (workflows/workspace.ts) calls the same methods on every job, in the order of its
 * `jobs` list: adding a job is a subclass here and one entry there. That order is the order its
 * commands leave, which the recorded histories hold: a new job goes behind a new `patched` id
 * (workflows/patches.ts), and existing entries are not reordered.
 */
export abstract class Job {
  constructor(protected readonly ctx: JobContext) {}

  /**
   * One pass of the main loop while the workspace may send requests: start the job if it is due
   * (a job beside the loop) or run it to its end (a job the loop awaits). 'interrupted': a pause,
   * reauthorization or disconnect cut it short, and the loop starts its pass again.
   */
  abstract turn(): Promise<'ok' | 'interrupted'>;

  /** What ends the loop's wait on this job's account (a wake, a due catalog, a restartable poller). */
  nextTurn(): NextTurn {
    return { ready: () => false, at: Infinity };
  }

  /** Asks a job running beside the loop to stop, without waiting: the cancellation leaves with the gate's closing. */
  cancel(): void {}

  /** Stops a job running beside the loop and waits until it has (pause, reauthorization, disconnect). */
  async stop(): Promise<void> {}

  /** Before continue-as-new: stop, and note in the state what the next run must start again. */
  async handOver(): Promise<void> {
    await this.stop();
  }
}
