import { sql } from 'kysely';
import type { Db } from '../db/connection';
import type { GateReason } from '../workspaceTypes';

/** The newest poller run takes the lease over whoever held it (a retry, a restart of a stale run). */
export async function takeAgentPollLease(db: Db, workspaceId: string, owner: string, ttlMs: number): Promise<void> {
  const expires = sql<Date>`now() + ${`${ttlMs} milliseconds`}::interval`;
  await db
    .insertInto('agent_poll_leases')
    .values({ workspace_id: workspaceId, owner, expires_at: expires })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ owner, expires_at: expires, updated_at: sql`now()` }))
    .execute();
}

export interface LeaseTick {
  /** This run still holds the lease (renewed). */
  held: boolean;
  /** The workspace's request gate (null: open); a closed gate means pause, reauthorization or disconnect. */
  blockedReason: GateReason | null;
}

/** One round trip per tick: renews the lease if `owner` still holds it and reads the gate. */
export async function renewAgentPollLease(db: Db, workspaceId: string, owner: string, ttlMs: number): Promise<LeaseTick> {
  const r = await sql<{ held: boolean; blocked_reason: GateReason | null }>`
    with renewed as (
      update agent_poll_leases set expires_at = now() + ${`${ttlMs} milliseconds`}::interval, updated_at = now()
      where workspace_id = ${workspaceId} and owner = ${owner}
      returning workspace_id
    )
    select exists (select 1 from renewed) as held,
      (select blocked_reason from workspace_gates where workspace_id = ${workspaceId}) as blocked_reason`.execute(db);
  const row = r.rows[0];
  return { held: row?.held === true, blockedReason: row?.blocked_reason ?? null };
}
