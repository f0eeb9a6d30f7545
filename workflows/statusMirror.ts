import { sleep, upsertSearchAttributes } from '@temporalio/workflow';
import { BACKFILL_PERCENT, SYNC_ERROR, SYNC_STATUS, WORKSPACE_ID } from '../src/temporal/searchAttributes';
import type { workspaceProxies } from './activityProxies';
import { classOf, describe, isCancellation } from './failures';
import type { WorkspacePatches } from './patches';
import type { Retention } from './types';
import { currentError, syncStatus, type WorkspaceState } from './workspaceState';

/**
 * Where the workspace's status leaves the workflow: the search attributes (Web UI filters) and the
 * Postgres mirror (the console's card and the request gate), each written only when what it would
 * say has changed.
 */
export class StatusMirror {
  private lastAttrs = '';
  private lastDbStatus: string | null = null;
  private lastProgressStep: number | null = null;

  constructor(
    private readonly s: WorkspaceState,
    private readonly workspaceId: string,
    private readonly retention: Retention,
    private readonly patches: WorkspacePatches,
    private readonly database: ReturnType<typeof workspaceProxies>['database'],
  ) {}

  private error() {
    return currentError(this.s, this.retention);
  }

  publishSearchAttributes(): void {
    const { s, patches } = this;
    const percent = Math.floor(s.backfill.done ? 100 : s.backfill.percent);
    const errorClass = this.error().errorClass ?? '';
    const key = patches.v2 ? `${syncStatus(s)}|${percent}|${errorClass}` : `${syncStatus(s)}|${percent}`;
    if (key === this.lastAttrs) return;
    this.lastAttrs = key;
    upsertSearchAttributes([
      { key: WORKSPACE_ID, value: this.workspaceId },
      { key: SYNC_STATUS, value: syncStatus(s) },
      { key: BACKFILL_PERCENT, value: percent },
      ...(patches.v2 ? [{ key: SYNC_ERROR, value: errorClass }] : []),
    ]);
  }

  /**
   * v2: infrastructure writes (status mirror, disconnect, retention) are retried until they land,
   * the error shown meanwhile; a workspace workflow never fails because its database was away.
   */
  async persist<T>(what: string, work: () => Promise<T>): Promise<T> {
    const { s } = this;
    for (;;) {
      try {
        const r = await work();
        if (s.controlError) s.controlError = null;
        return r;
      } catch (err) {
        if (!this.patches.v2 || isCancellation(err)) throw err;
        s.controlError = { lastError: `${what}: ${describe(err)}`, errorClass: classOf(err) };
        this.publishSearchAttributes();
        await sleep(30_000);
      }
    }
  }

  private mirrorKey(): string {
    const err = this.error();
    return this.patches.v2 ? `${syncStatus(this.s)}|${err.errorClass ?? ''}|${err.lastError ?? ''}` : syncStatus(this.s);
  }

  /** The status or the error changed since the mirror was last written. */
  stale(): boolean {
    return this.mirrorKey() !== this.lastDbStatus;
  }

  /** The Postgres mirror of the status, its error and (progressMirror) the backfill's progress. */
  async write(): Promise<void> {
    const { s, patches } = this;
    const current = syncStatus(s);
    const err = this.error();
    const key = this.mirrorKey();
    // Progress is written in 10% steps (and with every status change): at most ten more activities per backfill.
    const b = s.backfill;
    const backfill = { percent: Math.floor(b.done ? 100 : b.percent), stored: b.conversationsStored, etaSeconds: b.done ? null : b.etaSeconds };
    const step = patches.progressMirror ? Math.floor(backfill.percent / 10) : null;
    if (key === this.lastDbStatus && step === this.lastProgressStep) return;
    // The database copy also gates the rate limiter: no request leaves a paused workspace, even
    // from an activity that is still running on another worker.
    await this.persist('status mirror', () =>
      this.database.setWorkspaceStatus({ workspaceId: this.workspaceId, status: current, ...(patches.v2 ? err : {}), ...(patches.progressMirror ? { backfill } : {}), asOfMs: Date.now() }),
    );
    this.lastDbStatus = key;
    this.lastProgressStep = step;
  }

  /** What of the error the main loop's wait watches (v2: a new error is mirrored at once). */
  errorKey(): string {
    if (!this.patches.v2) return '';
    const err = this.error();
    return `|${err.errorClass ?? ''}|${err.lastError ?? ''}`;
  }
}
