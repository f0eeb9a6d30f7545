import { sql } from 'kysely';
import type { Db } from '../db/connection';
import type { ErrorClass, Region, SyncStatus } from '../workspaceTypes';

// What the operator console reads: Postgres only (the workflow's status mirror and the synced
// tables), never Temporal queries, which are billed per call on Temporal Cloud.

export interface CardRow {
  id: string;
  name: string;
  region: Region;
  status: SyncStatus;
  connectedAt: Date;
  updatedAt: Date;
  backfillPercent: number | null;
  backfillStored: number | null;
  backfillEtaSeconds: number | null;
  lastDefaultRunAt: Date | null;
  /** When agent states were last read from Intercom. */
  agentsObservedAt: Date | null;
  /** Conversations stored (tickets rows). */
  tickets: number;
  syncErrors: number;
  /** The workflow's current error in words, and its class (auth, contract, …). */
  lastError: string | null;
  errorClass: ErrorClass | null;
}

export async function workspaceCards(db: Db, only?: string): Promise<CardRow[]> {
  let q = db
    .selectFrom('workspaces as w')
    .selectAll('w')
    .select((eb) => [
      eb.selectFrom('agent_states as a').whereRef('a.workspace_id', '=', 'w.id').select((e) => e.fn.max('a.observed_at').as('m')).as('agents_observed_at'),
      eb.selectFrom('tickets as t').whereRef('t.workspace_id', '=', 'w.id').select((e) => e.fn.countAll<string>().as('n')).as('tickets'),
      eb.selectFrom('sync_errors as e').whereRef('e.workspace_id', '=', 'w.id').select((e) => e.fn.countAll<string>().as('n')).as('sync_errors'),
    ])
    .orderBy('w.name')
    .orderBy('w.id');
  if (only !== undefined) q = q.where('w.id', '=', only);
  const rows = await q.execute();
  return rows.map((r) => {
    return {
      id: r.id,
      name: r.name,
      region: r.region,
      status: r.status,
      connectedAt: r.connected_at,
      updatedAt: r.updated_at,
      backfillPercent: r.backfill_percent,
      backfillStored: r.backfill_stored,
      backfillEtaSeconds: r.backfill_eta_seconds,
      lastDefaultRunAt: r.last_default_run_at,
      // The poller's last successful poll; before it has recorded one, the newest observation.
      agentsObservedAt: r.agents_polled_at ?? (r.agents_observed_at ? new Date(r.agents_observed_at as unknown as string) : null),
      tickets: Number(r.tickets ?? 0),
      syncErrors: Number(r.sync_errors ?? 0),
      lastError: r.last_error,
      errorClass: r.error_class,
    };
  });
}

export interface ResponseDay {
  day: string;
  /** Seconds; null when no ticket created that day has a first response. */
  median: number | null;
  p90: number | null;
  responded: number;
}

/** Median and p90 first-response time of the tickets created each UTC day, zero-filled, oldest first. */
export async function firstResponsePerDay(db: Db, workspaceId: string, days: number, now: Date = new Date()): Promise<ResponseDay[]> {
  const today = now.toISOString().slice(0, 10);
  const result = await sql<{ day: string; median: number | null; p90: number | null; responded: string }>`
    select to_char(d.day, 'YYYY-MM-DD') as day,
      percentile_cont(0.5) within group (order by t.first_response_duration) as median,
      percentile_cont(0.9) within group (order by t.first_response_duration) as p90,
      count(t.first_response_duration) as responded
    from (select ${today}::date - g as day from generate_series(0, ${days}::int - 1) as g) as d
    left join tickets t on t.workspace_id = ${workspaceId}
      and t.first_response_duration is not null
      and t.created_at >= (d.day::timestamp at time zone 'UTC')
      and t.created_at < ((d.day + 1)::timestamp at time zone 'UTC')
    group by d.day
    order by d.day`.execute(db);
  return result.rows.map((r) => ({
    day: r.day,
    median: r.median === null ? null : Math.round(Number(r.median)),
    p90: r.p90 === null ? null : Math.round(Number(r.p90)),
    responded: Number(r.responded),
  }));
}

export interface StateSpan {
  adminId: string;
  agent: string;
  state: string;
  from: Date;
  to: Date;
}

/** Today's (UTC) agent-state spans from agent_state_events, each agent's state at midnight included. */
export async function agentTimelineToday(db: Db, workspaceId: string, now: Date = new Date()): Promise<StateSpan[]> {
  const midnight = new Date(`${now.toISOString().slice(0, 10)}T00:00:00Z`);
  const result = await sql<{ admin_id: string; name: string | null; state: string; started_at: Date }>`
    select e.admin_id, a.name, e.state, e.started_at from agent_state_events e
    left join agents a on a.workspace_id = e.workspace_id and a.admin_id = e.admin_id
    where e.workspace_id = ${workspaceId} and e.started_at >= ${midnight} and e.started_at <= ${now}
    union all
    select distinct on (e.admin_id) e.admin_id, a.name, e.state, ${midnight}::timestamptz from agent_state_events e
    left join agents a on a.workspace_id = e.workspace_id and a.admin_id = e.admin_id
    where e.workspace_id = ${workspaceId} and e.started_at < ${midnight}
    order by 1, 4`.execute(db);
  const spans: StateSpan[] = [];
  const rows = result.rows;
  rows.forEach((r, i) => {
    const next = rows[i + 1];
    const to = next && next.admin_id === r.admin_id ? new Date(next.started_at) : now;
    spans.push({ adminId: r.admin_id, agent: r.name ?? r.admin_id, state: r.state, from: new Date(r.started_at), to });
  });
  return spans;
}
