import { CancellationScope, condition } from '@temporalio/workflow';
import { classOf, describe, isCancellation, needsCredentials } from '../failures';
import type { WorkspacePatches } from '../patches';
import type { StatusMirror } from '../statusMirror';
import type { JobStatus } from '../types';
import type { WorkspaceState } from '../workspaceState';

/** How every job's work is run and its outcome recorded in its JobStatus. */
export class JobRunner {
  constructor(
    private readonly s: WorkspaceState,
    private readonly patches: WorkspacePatches,
    private readonly mirror: StatusMirror,
  ) {}

  /**
   * Runs one job and records its outcome. Activities retry transient failures themselves; what
   * arrives here is final for this run (auth, no credentials, cancellation). It is recorded,
   * never thrown: a workspace workflow must not fail because one job did.
   */
  async runJob<T>(job: JobStatus, work: () => Promise<T>, cursor: (r: T) => string | null): Promise<T | null> {
    const { s } = this;
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
      if (!stale || !this.patches.v2) {
        job.lastError = describe(err);
        job.errorClass = classOf(err);
      }
      if (needsCredentials(err) && !stale) s.needsReauth = true;
      return null;
    }
  }

  /** Pause, reauthorization and disconnect cut an awaited job short. */
  interrupted(): boolean {
    return this.s.disconnected || this.s.paused || this.s.needsReauth;
  }

  /** v2: a job the main loop awaits, in a scope that pause, reauthorization and disconnect cancel at once. */
  async runInterruptible<T>(job: JobStatus, work: () => Promise<T>, cursor: (r: T) => string | null): Promise<{ result: T | null } | 'interrupted'> {
    const { patches, mirror } = this;
    if (!patches.v2) return { result: await this.runJob(job, work, cursor) };
    let outcome: { result: T | null } | 'interrupted' | undefined;
    const scope = new CancellationScope();
    scope.run(() => this.runJob(job, work, cursor)).then(
      (result) => (outcome = { result }),
      () => (outcome = 'interrupted'),
    );
    for (;;) {
      await condition(() => outcome !== undefined || this.interrupted() || (patches.mirrorLive && mirror.stale()));
      if (outcome !== undefined || this.interrupted()) break;
      await mirror.write();
      mirror.publishSearchAttributes();
    }
    if (outcome === undefined) {
      scope.cancel();
      await condition(() => outcome !== undefined);
    }
    return outcome as { result: T | null } | 'interrupted';
  }
}
