import { CancellationScope, condition } from '@temporalio/workflow';
import type { SyncUpdatedResult } from '../../activities/types';
import { poller as pollerActivities, rarePoller } from '../activityProxies';
import { describe, isCancellation } from '../failures';
import { Job, type JobContext, type NextTurn } from './job';

/** Heartbeat timeout of the rare-heartbeat poller: 6 actions an hour (1 activity + 5 heartbeats). */
export const DEFAULT_POLLER_HEARTBEAT_TIMEOUT_MS = 20 * 60_000;

/**
 * The agent-state poller: one long activity that polls GET /admins every agentStatesMs for
 * agentPollerRunMs, then returns and is started again. It runs in its own scope so pause,
 * reauthorization and continue-as-new can stop it; a failed run is not restarted before the next
 * default tick (state.pollerRetryAt, kept across continue-as-new).
 */
export class AgentStatesJob extends Job {
  private scope: CancellationScope | null = null;
  private done = true;
  private startedAt = 0;
  private readonly heartbeatTimeoutMs: number;
  private readonly acts: ReturnType<typeof rarePoller>;
  /** rareHeartbeats: a poller whose last poll is older than this (its worker died) is restarted by the default job. */
  private readonly staleMs: number;

  constructor(ctx: JobContext) {
    super(ctx);
    const { cadence, patches, retry } = ctx;
    this.heartbeatTimeoutMs = cadence.agentPollerHeartbeatTimeoutMs ?? DEFAULT_POLLER_HEARTBEAT_TIMEOUT_MS;
    this.acts = patches.rareHeartbeats ? rarePoller(cadence.agentPollerRunMs, this.heartbeatTimeoutMs, retry) : pollerActivities(cadence.agentPollerRunMs, cadence.agentStatesMs, retry);
    this.staleMs = Math.max(30_000, 4 * cadence.agentStatesMs);
  }

  async turn(): Promise<'ok' | 'interrupted'> {
    if (!this.ctx.s.needsReauth) this.start();
    return 'ok';
  }

  private retryLater(): boolean {
    const { s } = this.ctx;
    return !!s.pollerRetryAt && Date.now() < s.pollerRetryAt;
  }

  override nextTurn(): NextTurn {
    return { ready: () => this.done && !this.retryLater(), at: this.ctx.s.pollerRetryAt ?? Infinity };
  }

  private start(): void {
    if (!this.done) return;
    const { s, cadence, patches, workspaceId, run } = this.ctx;
    // A failed run is not restarted in a loop: the next default tick tries again.
    if (this.retryLater()) return;
    s.pollerRetryAt = null;
    this.done = false;
    this.startedAt = Date.now();
    const scope = new CancellationScope();
    this.scope = scope;
    scope
      .run(() =>
        run.runJob(
          s.jobs.agent_states,
          () =>
            this.acts.pollAgentStates.executeWithOptions({ summary: `agent_states: GET /admins every ${cadence.agentStatesMs / 1000}s` }, [
              {
                workspaceId,
                intervalMs: cadence.agentStatesMs,
                maxDurationMs: cadence.agentPollerRunMs,
                ...(patches.rareHeartbeats ? { heartbeatEveryMs: Math.floor(this.heartbeatTimeoutMs / 2) } : {}),
              },
            ]),
          (r) => (r.lastPollAt ? new Date(r.lastPollAt).toISOString() : s.jobs.agent_states.cursor),
        ),
      )
      .then((r) => {
        if (patches.v2 && r === null && !s.needsReauth) s.pollerRetryAt = Date.now() + cadence.defaultMs;
        // rareHeartbeats: it ended at a closed gate the workflow did not close (or lost its lease): not again before the next default tick.
        if (patches.rareHeartbeats && r?.endedBy) s.pollerRetryAt = Date.now() + cadence.defaultMs;
      })
      .catch((err: unknown) => {
        if (!isCancellation(err)) s.jobs.agent_states.lastError = describe(err);
      })
      .finally(() => {
        this.done = true;
      });
  }

  /**
   * rareHeartbeats: the default run reports the last poll (workspaces.agents_polled_at); a run
   * whose polls stopped (its worker died, or it hangs) is replaced. The new run takes the lease
   * over; the old one, if alive, ends at its next tick.
   */
  async restartIfStale(r: SyncUpdatedResult | null): Promise<void> {
    if (!this.ctx.patches.rareHeartbeats || !r || this.done || Date.now() - this.startedAt <= this.staleMs) return;
    const polledAt = r.agentsPolledAt ?? 0;
    if (Date.now() - polledAt > this.staleMs) {
      await this.stop();
      this.start();
    }
  }

  override cancel(): void {
    if (!this.done) this.scope?.cancel();
  }

  override async stop(): Promise<void> {
    if (this.done || !this.scope) return;
    this.scope.cancel();
    await condition(() => this.done);
  }
}
