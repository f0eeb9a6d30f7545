import { patched } from '@temporalio/workflow';
import { WEBHOOK_WAKE_PATCH } from '../patches';
import type { AgentStatesJob } from './agentStates';
import { Job, type JobContext, type NextTurn } from './job';

/** The shortest time between two webhook-woken default runs. */
const WAKE_MIN_GAP_MS = 2_000;

/**
 * The default job: everything updated since its watermark (state.defaultCursorSec), every
 * cadence.defaultMs, or at once when a webhook wakes it. The loop awaits it; a pause,
 * reauthorization or disconnect interrupts it, and it runs again as soon as work resumes.
 */
export class DefaultSyncJob extends Job {
  /** This pass of the loop ran the default sync to its end (the jobs of a tick run after it). */
  ranThisPass = false;

  constructor(
    ctx: JobContext,
    private readonly agentStates: AgentStatesJob,
  ) {
    super(ctx);
  }

  /**
   * Webhooks: a wake only flips a flag the loop reads (the run starts at once unless one is
   * running). Woken runs start at most every WAKE_MIN_GAP_MS: a steady stream of webhooks cannot
   * chain runs back to back. Both live in the state, so continue-as-new keeps them.
   */
  private get woken(): { requested: boolean; lastStartAt: number } {
    return (this.ctx.s.defaultWake ??= { requested: false, lastStartAt: 0 });
  }

  /** A webhook said something changed in Intercom. */
  wake(): void {
    this.woken.requested = true;
  }

  async turn(): Promise<'ok' | 'interrupted'> {
    const { s, cadence, workspaceId, acts, run } = this.ctx;
    this.ranThisPass = false;
    const w = this.woken;
    const woken = w.requested && patched(WEBHOOK_WAKE_PATCH) && Date.now() >= w.lastStartAt + WAKE_MIN_GAP_MS;
    if (s.needsReauth || !(Date.now() >= s.nextDefaultAt || woken)) return 'ok';
    w.requested = false;
    w.lastStartAt = Date.now();
    const outcome = await run.runInterruptible(
      s.jobs.default,
      () =>
        acts.incremental.syncUpdatedConversations.executeWithOptions({ summary: `default: updated since ${new Date(s.defaultCursorSec * 1000).toISOString()}` }, [
          { workspaceId, sinceSec: s.defaultCursorSec },
        ]),
      (res) => String(res.cursorSec),
    );
    // Interrupted (pause, reauthorization, disconnect): it runs again as soon as work resumes.
    if (outcome === 'interrupted') return outcome;
    const r = outcome.result;
    if (r) s.defaultCursorSec = r.cursorSec;
    await this.agentStates.restartIfStale(r);
    if (r?.failed) {
      s.jobs.default.lastError = `${r.failed} conversation(s) passed over: Intercom's answer broke the contract (table sync_errors; a resync retries them)`;
      s.jobs.default.errorClass = 'contract';
    }
    s.nextDefaultAt = Date.now() + cadence.defaultMs;
    this.ranThisPass = true;
    return 'ok';
  }

  override nextTurn(): NextTurn {
    // A wake that arrives during this wait ends it (the timeout did not count on it); one already
    // pending is covered by the timeout (the gap's end), so the loop never spins.
    const w = this.woken;
    const armed = w.requested;
    return {
      ready: () => w.requested && (!armed || Date.now() >= w.lastStartAt + WAKE_MIN_GAP_MS),
      at: Math.min(this.ctx.s.nextDefaultAt, armed ? w.lastStartAt + WAKE_MIN_GAP_MS : Infinity),
    };
  }
}
