import type { Db } from '../db/connection';
import type { GateReason } from '../workspaceTypes';
import { retryOnConnectionLoss } from '../db/errors';
import type { RateLimiter, RateLimitObservation } from './limiter';
import { sleep } from './sleep';
import { upsertGate } from '../repositories/gates';

export class GateClosedError extends Error {
  override name = 'GateClosedError';
}

/** The per-workspace request gate, stored in Postgres so every worker process obeys it at once. */
export class PostgresGate {
  constructor(private readonly db: Db) {}

  // Both statements are idempotent, so a terminated connection costs a retry on a fresh one, not the caller's work.
  async setBlocked(workspaceId: string, reason: GateReason | null): Promise<void> {
    await retryOnConnectionLoss(() => upsertGate(this.db, workspaceId, reason));
  }

  async blockedReason(workspaceId: string): Promise<GateReason | null> {
    const row = await retryOnConnectionLoss(() => this.db.selectFrom('workspace_gates').select('blocked_reason').where('workspace_id', '=', workspaceId).executeTakeFirst());
    return row?.blocked_reason ?? null;
  }
}

/**
 * Wraps the rate limiter: a request first waits for the workspace's gate to be open, so that
 * once a pause (or a 401) is recorded, no request leaves from any activity on any worker.
 */
export class GatedRateLimiter implements RateLimiter {
  constructor(
    private readonly gate: PostgresGate,
    private readonly inner: RateLimiter,
    private readonly pollMs = 500,
  ) {}

  async acquire(workspaceId: string, signal?: AbortSignal): Promise<void> {
    for (;;) {
      for (let reason = await this.gate.blockedReason(workspaceId); reason !== null; reason = await this.gate.blockedReason(workspaceId)) {
        // Nothing reopens a disconnected workspace's gate but a new connect: an activity still
        // waiting here (one whose cancellation has not reached it) ends instead of waiting for ever.
        if (reason === 'disconnected') throw new GateClosedError(`workspace ${workspaceId} is disconnected`);
        await sleep(this.pollMs, signal);
      }
      await this.inner.acquire(workspaceId, signal);
      // The limiter may have waited for the next window: the gate may have closed meanwhile.
      if ((await this.gate.blockedReason(workspaceId)) === null) return;
    }
  }

  observe(workspaceId: string, obs: RateLimitObservation): Promise<void> {
    return this.inner.observe(workspaceId, obs);
  }
}
