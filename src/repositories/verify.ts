import { sql } from 'kysely';
import type { Db } from '../db/connection';

/** Tickets created per UTC day over the last `days` days, zero-filled (the Staffing Timeline's contacts). */
export async function contactsPerDay(db: Db, workspaceId: string, days: number): Promise<Array<{ day: string; count: number }>> {
  const result = await sql<{ day: string; count: string }>`
    select to_char(d.day, 'YYYY-MM-DD') as day, count(t.conversation_id) as count
    from generate_series((now() at time zone 'utc')::date - (${days}::int - 1), (now() at time zone 'utc')::date, interval '1 day') as d(day)
    left join tickets t on t.workspace_id = ${workspaceId}
      and t.created_at >= d.day at time zone 'utc' and t.created_at < (d.day + interval '1 day') at time zone 'utc'
    group by d.day order by d.day`.execute(db);
  return result.rows.map((r) => ({ day: r.day, count: Number(r.count) }));
}

/** Agents by current state (the Realtime dashboard's agent states). */
export async function agentsByState(db: Db, workspaceId: string): Promise<Array<{ state: string; count: number }>> {
  const rows = await db
    .selectFrom('agent_states')
    .select(['state', (eb) => eb.fn.countAll<string>().as('count')])
    .where('workspace_id', '=', workspaceId)
    .groupBy('state')
    .orderBy('state')
    .execute();
  return rows.map((r) => ({ state: r.state, count: Number(r.count) }));
}
