import type { Db } from '../src/db/connection';
import { isAuthError } from '../src/intercom/errors';
import type { IntercomClient } from '../src/intercom/client';
import type { Admin } from '../src/intercom/schemas';
import { toAgentRow, toQueueRow, toTeamRow } from '../src/mapping/agent';
import type { TicketWithEvents } from '../src/mapping/ticket';
import { syncAgentDirectory, type AgentDirectoryChange } from '../src/repositories/agents';
import { applyTeamMoves, catalogRefreshedAt, knownCatalogIds, recordCatalogRefresh, upsertQueues, upsertTeams, type CatalogChange, type CatalogKind } from '../src/repositories/catalog';

// The catalog (agents, teams, queues) kept current at almost no request cost:
// - agents from every GET /admins poll of the agent-state poller (no extra request);
// - a team id no stored team has, seen in that answer's team_ids, re-reads GET /teams in the same tick;
// - a stored ticket naming a team or tag id we never had re-reads that kind at once (at most once
//   per kind per activity run; removed ones count as had, so old conversations carrying a deleted
//   tag cost nothing);
// - the rest (renames, removals, teams and tags nobody uses yet) by a periodic re-read of each kind
//   every CATALOG_REFRESH_MS.

/**
 * Teams and tags are each re-read at least this often (by the agent-state poller, which checks every tick).
 *
 * Why six hours and not the hour issue 9 first asked for: every id that matters to a row is read at
 * once anyway (above), so the periodic read only catches a rename, a removal, or a team/tag no
 * admin and no stored ticket uses yet, and those are seen within six hours. Hourly it cost two
 * requests an hour per workspace, 0.79 % of an idle workspace's ~253 (240 GET /admins at 15 s,
 * 12 default-loop searches, the hourly deleted-list read) against the ≤ 0.5 % the issue allows
 * catalog and reconciliation together; every six hours it is 1/3 request an hour, ~0.13 % (the
 * fleet bench measures it: catalog_reconciliation_share_pct). Tests inject a shorter period
 * (ActivityDeps.catalogRefreshMs).
 */
export const CATALOG_REFRESH_MS = 6 * 60 * 60_000;

export interface Logger {
  warn(message: string, meta?: Record<string, unknown>): void;
}

export interface CatalogRefresh extends CatalogChange {
  /** How many Intercom listed. */
  listed: number;
}

export async function refreshTeams(db: Db, client: IntercomClient, workspaceId: string): Promise<CatalogRefresh> {
  const teams = await client.listTeams();
  const now = new Date();
  const change = await upsertTeams(db, workspaceId, teams.map((t) => toTeamRow(workspaceId, t, now)), now);
  await recordCatalogRefresh(db, workspaceId, 'teams', now);
  return { ...change, listed: teams.length };
}

export async function refreshTags(db: Db, client: IntercomClient, workspaceId: string): Promise<CatalogRefresh> {
  const tags = await client.listTags();
  const now = new Date();
  const change = await upsertQueues(db, workspaceId, tags.map((t) => toQueueRow(workspaceId, t, now)), now);
  await recordCatalogRefresh(db, workspaceId, 'tags', now);
  return { ...change, listed: tags.length };
}

const refreshers: Record<CatalogKind, typeof refreshTeams> = { teams: refreshTeams, tags: refreshTags };

/** Refreshes each kind whose last refresh is older than `maxAgeMs` (or never happened); returns the kinds refreshed. */
export async function refreshCatalogIfDue(db: Db, client: IntercomClient, workspaceId: string, maxAgeMs: number, now = Date.now()): Promise<CatalogKind[]> {
  const done: CatalogKind[] = [];
  for (const kind of ['teams', 'tags'] as const) {
    const at = await catalogRefreshedAt(db, workspaceId, kind);
    if (at !== null && now - at.getTime() < maxAgeMs) continue;
    await refreshers[kind](db, client, workspaceId);
    done.push(kind);
  }
  return done;
}

/**
 * One GET /admins answer applied to the directory: agents upserted or marked removed, and the
 * teams whose membership moved rewritten. A team id no stored team has makes the team list be
 * read again (rare: a team created since the last refresh).
 */
export async function applyAdminDirectory(db: Db, client: IntercomClient, workspaceId: string, admins: readonly Admin[], now: Date): Promise<AgentDirectoryChange> {
  const change = await syncAgentDirectory(db, workspaceId, admins.map((a) => toAgentRow(workspaceId, a, now)), now);
  const { unknownTeamIds } = await applyTeamMoves(db, workspaceId, change.moves, now);
  if (unknownTeamIds.length > 0) {
    await refreshTeams(db, client, workspaceId);
    await applyTeamMoves(db, workspaceId, change.moves, now);
  }
  return change;
}

export interface CatalogGuard {
  /** After tickets are stored: reads teams or tags again at once when a ticket names an id we lack. */
  afterStore(rows: readonly TicketWithEvents[]): Promise<void>;
  /** Kinds refreshed by this guard so far. */
  readonly refreshed: ReadonlySet<CatalogKind>;
}

/**
 * One per activity run. Known ids are loaded once (on the first stored batch) and checked in
 * memory after each flush, so the check costs no query per batch; only a batch naming an unknown
 * id re-reads them (one query) before asking Intercom. A refresh that fails for any reason but
 * authorization is logged and not retried in this run: the next run's guard (at the next
 * unknown id) or the periodic refresh (CATALOG_REFRESH_MS) catches up.
 */
export function createCatalogGuard(db: Db, client: IntercomClient, workspaceId: string, log: Logger): CatalogGuard {
  let known: { teamIds: Set<string>; tagIds: Set<string> } | null = null;
  const refreshed = new Set<CatalogKind>();
  const tried = new Set<CatalogKind>();

  const refresh = async (kind: CatalogKind, ids: string[]): Promise<void> => {
    tried.add(kind);
    try {
      await refreshers[kind](db, client, workspaceId);
      refreshed.add(kind);
      known = await knownCatalogIds(db, workspaceId);
    } catch (err) {
      if (isAuthError(err)) throw err;
      log.warn('catalog refresh for unknown ids failed', { workspaceId, kind, ids: ids.slice(0, 5), error: (err as Error).message });
    }
  };

  return {
    refreshed,
    async afterStore(rows) {
      if (tried.size === 2 || rows.length === 0) return;
      known ??= await knownCatalogIds(db, workspaceId);
      let unknown = unknownIn(rows, known);
      if (unknown.teams.length + unknown.tags.length === 0) return;
      // Another activity may have just read the catalog (the connect's syncCatalog runs beside the
      // first backfill windows): look again before asking Intercom.
      known = await knownCatalogIds(db, workspaceId);
      unknown = unknownIn(rows, known);
      if (unknown.teams.length > 0 && !tried.has('teams')) await refresh('teams', unknown.teams);
      if (unknown.tags.length > 0 && !tried.has('tags')) await refresh('tags', unknown.tags);
    },
  };
}

function unknownIn(rows: readonly TicketWithEvents[], known: { teamIds: Set<string>; tagIds: Set<string> }): { teams: string[]; tags: string[] } {
  const teams = new Set<string>();
  const tags = new Set<string>();
  for (const { ticket } of rows) {
    if (ticket.team_id && !known.teamIds.has(ticket.team_id)) teams.add(ticket.team_id);
    for (const tag of ticket.tag_ids ?? []) if (!known.tagIds.has(tag)) tags.add(tag);
  }
  return { teams: [...teams], tags: [...tags] };
}
