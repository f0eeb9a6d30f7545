import { sql } from 'kysely';
import type { Db } from '../db/connection';
import type { GateReason } from '../workspaceTypes';

export interface WorkspaceSnapshot {
  rateLimits: { workspaceId: string; used: number; limit: number }[];
  gates: { workspaceId: string; state: GateReason | 'open' }[];
  stored: { workspaceId: string; count: number }[];
  /** The latest successful agent-state poll of each workspace, by any worker (workspaces.agents_polled_at). */
  agentPolls: { workspaceId: string; atMs: number }[];
}

/** The per-workspace numbers behind the scrape-time gauges, read from the tables every worker shares. */
export async function workspaceSnapshot(db: Db, nowMs: number): Promise<WorkspaceSnapshot> {
  const [limits, gates, stored] = await Promise.all([
    db.selectFrom('rate_limits').select(['workspace_id', 'used', 'carry', 'window_limit', 'window_end_ms']).execute(),
    db
      .selectFrom('workspaces')
      .leftJoin('workspace_gates', 'workspace_gates.workspace_id', 'workspaces.id')
      .select(['workspaces.id as workspace_id', 'workspace_gates.blocked_reason', 'workspaces.agents_polled_at'])
      .execute(),
    db
      .selectFrom('tickets')
      .select(['workspace_id', sql<string>`count(*)`.as('n')])
      .groupBy('workspace_id')
      .execute(),
  ]);
  return {
    // A window that has ended holds no grants any more: what is used now is 0 (plus nothing carried until a claim).
    rateLimits: limits.map((r) => ({ workspaceId: r.workspace_id, used: Number(r.window_end_ms) > nowMs ? r.used : 0, limit: r.window_limit })),
    gates: gates.map((g) => ({ workspaceId: g.workspace_id, state: g.blocked_reason ?? 'open' })),
    stored: stored.map((s) => ({ workspaceId: s.workspace_id, count: Number(s.n) })),
    agentPolls: gates.flatMap((g) => (g.agents_polled_at ? [{ workspaceId: g.workspace_id, atMs: g.agents_polled_at.getTime() }] : [])),
  };
}
