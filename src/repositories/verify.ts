import { sql } from 'kysely';
import type { Db } from '../db/connection';

export interface DayCount {
  /** YYYY-MM-DD, UTC. */
  day: string;
  count: number;
}

/**
 * Tickets created per UTC day over the `days` days ending with `now`'s day, zero-filled, oldest
 * first (what the Staffing Timeline shows as contacts). Tickets deleted in Intercom are no contacts.
 */
export async function contactsPerDay(db: Db, workspaceId: string, days: number, now: Date = new Date()): Promise<DayCount[]> {
  if (!Number.isInteger(days) || days < 1) throw new Error(`days must be a positive integer, got ${days}`);
  const today = now.toISOString().slice(0, 10);
  const result = await sql<{ day: string; count: number | string }>`
    select to_char(d.day, 'YYYY-MM-DD') as day, count(t.conversation_id) as count
    from (select ${today}::date - g as day from generate_series(0, ${days}::int - 1) as g) as d
    left join tickets t on t.workspace_id = ${workspaceId} and t.deleted_at is null
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

/**
 * Agents by current state (what the Realtime dashboard shows); states with no agent are absent.
 * Admins no longer listed by Intercom (agents.removed_at) are not counted.
 */
export async function agentsByState(db: Db, workspaceId: string): Promise<StateCount[]> {
  const rows = await db
    .selectFrom('agent_states as s')
    .leftJoin('agents as a', (j) => j.onRef('a.workspace_id', '=', 's.workspace_id').onRef('a.admin_id', '=', 's.admin_id'))
    .select(['s.state', (eb) => eb.fn.countAll<number | string>().as('count')])
    .where('s.workspace_id', '=', workspaceId)
    .where('a.removed_at', 'is', null)
    .groupBy('s.state')
    .orderBy('s.state')
    .execute();
  return rows.map((r) => ({ state: r.state, count: Number(r.count) }));
}

/** A queue or team column of a per-day breakdown; `id` null = tickets with no queue / no team. */
export interface Slice {
  id: string | null;
  name: string;
  removed: boolean;
  total: number;
}

export interface DayBreakdown {
  slices: Slice[];
  /** Oldest first, zero-filled; counts[i] belongs to slices[i]. */
  days: Array<{ day: string; counts: number[] }>;
}

/**
 * Contacts (not deleted) created per UTC day per queue (a ticket with two tags counts in both;
 * untagged ones under id null) or per team (unassigned under id null), over the `days` days ending
 * with `now`'s day. Slices are ordered by total, largest first; names come from the catalog
 * (an id the catalog lacks shows as its id).
 */
export async function contactsPerDayBy(db: Db, workspaceId: string, by: 'queue' | 'team', days: number, now: Date = new Date()): Promise<DayBreakdown> {
  if (!Number.isInteger(days) || days < 1) throw new Error(`days must be a positive integer, got ${days}`);
  const today = now.toISOString().slice(0, 10);
  const from = sql`(${today}::date - (${days}::int - 1))::timestamp at time zone 'UTC'`;
  const to = sql`(${today}::date + 1)::timestamp at time zone 'UTC'`;
  const rows =
    by === 'queue'
      ? await sql<{ day: string; id: string | null; name: string | null; removed: boolean | null; count: string | number }>`
          select to_char(t.created_at at time zone 'UTC', 'YYYY-MM-DD') as day, q.tag_id as id, c.name, c.removed_at is not null as removed, count(*) as count
          from tickets t
          left join ticket_queues q on q.workspace_id = t.workspace_id and q.conversation_id = t.conversation_id
          left join queues c on c.workspace_id = t.workspace_id and c.tag_id = q.tag_id
          where t.workspace_id = ${workspaceId} and t.deleted_at is null and t.created_at >= ${from} and t.created_at < ${to}
          group by 1, 2, 3, 4`.execute(db)
      : await sql<{ day: string; id: string | null; name: string | null; removed: boolean | null; count: string | number }>`
          select to_char(t.created_at at time zone 'UTC', 'YYYY-MM-DD') as day, t.team_id as id, c.name, c.removed_at is not null as removed, count(*) as count
          from tickets t
          left join teams c on c.workspace_id = t.workspace_id and c.team_id = t.team_id
          where t.workspace_id = ${workspaceId} and t.deleted_at is null and t.created_at >= ${from} and t.created_at < ${to}
          group by 1, 2, 3, 4`.execute(db);
  const none = by === 'queue' ? '(no queue)' : '(no team)';
  const slices = new Map<string, Slice>();
  const key = (id: string | null) => id ?? '\u0000';
  for (const r of rows.rows) {
    const k = key(r.id);
    const slice = slices.get(k) ?? { id: r.id, name: r.id === null ? none : (r.name ?? r.id), removed: r.id !== null && r.removed === true, total: 0 };
    slice.total += Number(r.count);
    slices.set(k, slice);
  }
  const ordered = [...slices.values()].sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
  const index = new Map(ordered.map((sl, i) => [key(sl.id), i]));
  const dayList = Array.from({ length: days }, (_, i) => new Date(Date.parse(`${today}T00:00:00Z`) - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10));
  const byDay = new Map(dayList.map((d) => [d, ordered.map(() => 0)]));
  for (const r of rows.rows) {
    const counts = byDay.get(r.day);
    const i = index.get(key(r.id));
    if (counts !== undefined && i !== undefined) counts[i] = (counts[i] ?? 0) + Number(r.count);
  }
  return { slices: ordered, days: dayList.map((day) => ({ day, counts: byDay.get(day) ?? [] })) };
}

export interface AgentRoster {
  /** Listed by Intercom now. */
  listed: number;
  /** No longer listed (removed_at set). */
  removed: number;
  /**
   * Hires: first seen within the window and after the first directory load (which is no hire),
   * newest first, with their current state (null before the first poll).
   */
  recent: Array<{ adminId: string; name: string | null; firstSeenAt: Date; state: string | null }>;
}

/** Who the directory holds: listed and removed agents, and those hired in the last `days` days. */
export async function agentRoster(db: Db, workspaceId: string, days: number, now: Date = new Date()): Promise<AgentRoster> {
  const since = new Date(now.getTime() - days * 86_400_000);
  const [counts, recent] = await Promise.all([
    db
      .selectFrom('agents')
      .select([(eb) => eb.fn.count<string>('admin_id').filterWhere('removed_at', 'is', null).as('listed'), (eb) => eb.fn.count<string>('admin_id').filterWhere('removed_at', 'is not', null).as('removed')])
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('agents as a')
      .leftJoin('agent_states as s', (j) => j.onRef('s.workspace_id', '=', 'a.workspace_id').onRef('s.admin_id', '=', 'a.admin_id'))
      .select(['a.admin_id', 'a.name', 'a.first_seen_at', 's.state'])
      .where('a.workspace_id', '=', workspaceId)
      .where('a.removed_at', 'is', null)
      .where('a.first_seen_at', '>=', since)
      // Later than the first directory load (which gives every admin one first_seen_at); when rows
      // from before first_seen_at existed, every admin seen since is a hire.
      .where(
        sql<boolean>`a.first_seen_at > (select case when bool_or(b.first_seen_at is null) then '-infinity'::timestamptz else min(b.first_seen_at) end
                                        from agents b where b.workspace_id = ${workspaceId})`,
      )
      .orderBy('a.first_seen_at', 'desc')
      .orderBy('a.admin_id')
      .execute(),
  ]);
  return {
    listed: Number(counts.listed),
    removed: Number(counts.removed),
    recent: recent.map((r) => ({ adminId: r.admin_id, name: r.name, firstSeenAt: r.first_seen_at as Date, state: r.state })),
  };
}
