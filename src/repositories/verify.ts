import { sql } from 'kysely';
import type { Db } from '../db/connection';

export interface DayCount {
  /** YYYY-MM-DD, UTC. */
  day: string;
  count: number;
}

/**
 * Tickets created per UTC day over the `days` days ending with `now`'s day, zero-filled, oldest
 * first (what the Staffing Timeline shows as contacts).
 */
export async function contactsPerDay(db: Db, workspaceId: string, days: number, now: Date = new Date()): Promise<DayCount[]> {
  if (!Number.isInteger(days) || days < 1) throw new Error(`days must be a positive integer, got ${days}`);
  const today = now.toISOString().slice(0, 10);
  const result = await sql<{ day: string; count: number | string }>`
    select to_char(d.day, 'YYYY-MM-DD') as day, count(t.conversation_id) as count
    from (select ${today}::date - g as day from generate_series(0, ${days}::int - 1) as g) as d
    left join tickets t on t.workspace_id = ${workspaceId}
      and t.created_at >= (d.day::timestamp at time zone 'UTC')
      and t.created_at < ((d.day + 1)::timestamp at time zone 'UTC')
    group by d.day
    order by d.day`.execute(db);
  return result.rows.map((r) => ({ day: r.day, count: Number(r.count) }));
}

export interface StateCount {
  state: string;
  count: number;
}

/** Agents by current state (what the Realtime dashboard shows); states with no agent are absent. */
export async function agentsByState(db: Db, workspaceId: string): Promise<StateCount[]> {
  const rows = await db
    .selectFrom('agent_states')
    .select(['state', (eb) => eb.fn.countAll<number | string>().as('count')])
    .where('workspace_id', '=', workspaceId)
    .groupBy('state')
    .orderBy('state')
    .execute();
  return rows.map((r) => ({ state: r.state, count: Number(r.count) }));
}
