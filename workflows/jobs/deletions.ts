import type { DeletedCursor } from '../../activities/types';
import type { ReconcileCursor, ReconcileResult } from '../../activities/reconcile';
import type { RefetchStaleResult } from '../../activities/upgrade';
import type { JobStatus } from '../types';
import type { DefaultSyncJob } from './defaultSync';
import { Job, type JobContext } from './job';


/** GET /conversations/deleted read by the default loop. */
export interface DeletionsState extends JobStatus {
  deletedCursor: DeletedCursor | null;
  /** null until the first run; false: the workspace's API version lacks the endpoint. */
  supported: boolean | null;
  /** Totals since the connection: deletions read, tickets marked deleted_at. */
  seen: number;
  marked: number;
  requests: number;
  /** Where the API lacks the list: the weekly reconciliation of stored ids against search (absent until needed). */
  reconcile?: ReconcileState;
}

export interface ReconcileState {
  /** The pass in progress; null between passes. */
  passCursor: ReconcileCursor | null;
  /** Epoch ms when the last pass completed; the next starts a week later. */
  lastPassDoneAt: number | null;
  passes: number;
  /** Of the pass in progress, or the last one: windows compared down to this time (ISO), and its counts. */
  coveredDownTo: string | null;
  checked: number;
  marked: number;
  pages: number;
  requests: number;
  /** The 2 % daily share was spent at this time (epoch ms); the pass waits for the next UTC day. */
  budgetExhaustedAt: number | null;
}

export const RECONCILE_EVERY_MS = 7 * 86_400_000;
export const DELETIONS_EVERY_MS = 60 * 60_000;

/** The one-time refetch of rows written before the current mapping (newest first). */
export interface UpgradeState extends JobStatus {
  after: RefetchStaleResult['after'];
  /** Stale rows left (null before the first count). */
  remaining: number | null;
  refetched: number;
  missing: number;
  failed: number;
  requests: number;
  /** A whole pass has run: nothing left to refetch (rows that failed are in sync_errors). */
  done: boolean;
}

const job = (): JobStatus => ({ lastSuccessAt: null, lastError: null, cursor: null, runs: 0 });
export const emptyDeletions = (): DeletionsState => ({ ...job(), deletedCursor: null, supported: null, seen: 0, marked: 0, requests: 0 });
export const emptyUpgrade = (): UpgradeState => ({ ...job(), after: null, remaining: null, refetched: 0, missing: 0, failed: 0, requests: 0, done: false });

/**
 * Two steps of every default tick (since DELETIONS_AND_UPGRADE_PATCH, workflows/patches.ts): reading
 * Intercom's deleted-conversations list from a cursor of its own, and the one-time upgrade refetch
 * of rows an older mapping wrote. Its state (cursors, counts) is state.deletions and state.upgrade,
 * kept across continue-as-new.
 */
export class DeletionsJob extends Job {
  constructor(
    ctx: JobContext,
    private readonly defaultSync: DefaultSyncJob,
  ) {
    super(ctx);
    // Each run counts stale rows once more (one database count): rows an older worker wrote during a
    // rolling deploy are refetched too.
    const { s } = ctx;
    if (ctx.patches.deletionsAndUpgrade && s.upgrade?.done) s.upgrade = { ...s.upgrade, done: false, remaining: null, after: null };
  }

  async turn(): Promise<'ok' | 'interrupted'> {
    const { s, patches, workspaceId, tuning, cadence, acts, run } = this.ctx;
    if (!patches.deletionsAndUpgrade || !this.defaultSync.ranThisPass) return 'ok';
    // Interrupted: it runs again at the next tick; the loop carries on with this pass meanwhile.
    await runDeletionsAndUpgrade(workspaceId, tuning.years, cadence, (s.deletions ??= emptyDeletions()), (s.upgrade ??= emptyUpgrade()), acts.incremental, (job, work, cursor) =>
      run.runInterruptible(job, work, cursor),
    );
    return 'ok';
  }
}

type Run = <T>(job: JobStatus, work: () => Promise<T>, cursor: (r: T) => string | null) => Promise<{ result: T | null } | 'interrupted'>;

interface Acts {
  syncDeletedConversations(input: { workspaceId: string; cursor: DeletedCursor | null }): Promise<{ cursor: DeletedCursor; supported: boolean; seen: number; marked: number; requests: number }>;
  countStaleMapping(input: { workspaceId: string }): Promise<number>;
  refetchStaleTickets(input: { workspaceId: string; after: RefetchStaleResult['after'] }): Promise<RefetchStaleResult>;
  reconcileDeletions(input: { workspaceId: string; cursor: ReconcileCursor | null; years: number }): Promise<ReconcileResult>;
}

/**
 * Runs after the default sync of a tick, in the same turn (so it always yields to it): one
 * deleted-list read, then (until done) one page of the upgrade refetch. Returns 'interrupted'
 * when a pause, reauthorization or disconnect cut it short.
 */
export async function runDeletionsAndUpgrade(
  workspaceId: string,
  years: number,
  every: { deletionsEveryMs?: number; reconcileEveryMs?: number },
  d: DeletionsState, u: UpgradeState, acts: Acts, run: Run): Promise<'ok' | 'interrupted'> {
  // Hourly, not every tick: one request and ~6 history events an hour instead of twelve times that.
  const listDue = d.lastSuccessAt === null || Date.now() - d.lastSuccessAt >= (every.deletionsEveryMs ?? DELETIONS_EVERY_MS);
  if (d.supported !== false && listDue) {
    const r = await run(d, () => acts.syncDeletedConversations({ workspaceId, cursor: d.deletedCursor }), (res) => (res.cursor.sinceSec === null ? null : new Date(res.cursor.sinceSec * 1000).toISOString()));
    if (r === 'interrupted') return r;
    if (r.result) {
      d.supported = r.result.supported;
      d.deletedCursor = r.result.cursor;
      d.seen += r.result.seen;
      d.marked += r.result.marked;
      d.requests += r.result.requests;
      if (!r.result.supported) d.cursor = 'unsupported by this API version: reconciliation instead';
    }
  }
  if (d.supported === false && (await reconcile(workspaceId, years, every.reconcileEveryMs ?? RECONCILE_EVERY_MS, d, acts, run)) === 'interrupted') return 'interrupted';
  if (u.done) return 'ok';
  if (u.remaining === null) {
    const c = await run(u, () => acts.countStaleMapping({ workspaceId }), (n) => `${n} stale row(s)`);
    if (c === 'interrupted') return c;
    if (c.result === null) return 'ok';
    u.remaining = c.result;
    u.runs -= 1; // a count is no refetch run
  }
  if (u.remaining === 0) {
    u.done = true;
    return 'ok';
  }
  const r = await run(u, () => acts.refetchStaleTickets({ workspaceId, after: u.after }), (res) => (res.after ? new Date(res.after.createdAtMs).toISOString() : null));
  if (r === 'interrupted') return r;
  if (r.result) {
    u.after = r.result.after;
    u.remaining = r.result.remaining;
    u.refetched += r.result.refetched;
    u.missing += r.result.missing;
    u.failed += r.result.failed;
    u.requests += r.result.requests;
    if (r.result.after === null) u.done = true;
  }
  return 'ok';
}

/** One reconciliation step, when a pass is in progress or a week has passed since the last one. */
async function reconcile(workspaceId: string, years: number, everyMs: number, d: DeletionsState, acts: Acts, run: Run): Promise<'ok' | 'interrupted'> {
  const rc = (d.reconcile ??= { passCursor: null, lastPassDoneAt: null, passes: 0, coveredDownTo: null, checked: 0, marked: 0, pages: 0, requests: 0, budgetExhaustedAt: null });
  const now = Date.now();
  if (rc.passCursor === null && rc.lastPassDoneAt !== null && now - rc.lastPassDoneAt < everyMs) return 'ok';
  // The day's share is spent: wait for the next UTC day.
  if (rc.budgetExhaustedAt !== null && Math.floor(rc.budgetExhaustedAt / 86_400_000) === Math.floor(now / 86_400_000)) return 'ok';
  const starting = rc.passCursor === null;
  const r = await run(d, () => acts.reconcileDeletions({ workspaceId, cursor: rc.passCursor, years }), () => d.cursor);
  if (r === 'interrupted') return r;
  const res = r.result;
  if (!res) return 'ok';
  if (res.budgetExhausted) {
    rc.budgetExhaustedAt = now;
    return 'ok';
  }
  rc.budgetExhaustedAt = null;
  if (starting) Object.assign(rc, { checked: 0, marked: 0, pages: 0 });
  rc.checked += res.checked;
  rc.marked += res.marked;
  rc.pages += res.pages;
  rc.requests += res.requests;
  d.marked += res.marked;
  d.requests += res.requests;
  rc.passCursor = res.cursor;
  rc.coveredDownTo = res.cursor ? new Date(res.cursor.hiSec * 1000).toISOString() : null;
  if (res.cursor === null) {
    rc.lastPassDoneAt = Date.now();
    rc.passes += 1;
  }
  return 'ok';
}
