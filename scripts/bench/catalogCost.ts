import type { SimStats } from '../../testkit/simulator';

/** The simulator's endpoints by the kind of work that sends them. */
export const REQUEST_KINDS = {
  admins: 'GET /admins',
  search: 'POST /conversations/search',
  conversation_detail: 'GET /conversations/{id}',
  teams: 'GET /teams',
  tags: 'GET /tags',
  deleted_list: 'GET /conversations/deleted',
} as const;

export type RequestKind = keyof typeof REQUEST_KINDS | 'reconciliation_search' | 'other';

/**
 * Requests between two snapshots of the simulator's counters (from its start without `before`), by kind.
 * Reconciliation searches are the same endpoint as every other search: they are told apart by the
 * count the reconciliation itself keeps (reconciliation_requests), which is taken out of `search`.
 */
export function requestsByKind(after: SimStats, before: SimStats | null, reconciliation: number): Record<RequestKind, number> {
  const at = (s: SimStats | null, e: string) => s?.byEndpoint[e] ?? 0;
  const out = {} as Record<RequestKind, number>;
  let named = 0;
  for (const [kind, endpoint] of Object.entries(REQUEST_KINDS) as Array<[keyof typeof REQUEST_KINDS, string]>) {
    out[kind] = at(after, endpoint) - at(before, endpoint);
    named += out[kind];
  }
  out.reconciliation_search = Math.min(reconciliation, out.search);
  out.search -= out.reconciliation_search;
  out.other = after.requests - (before?.requests ?? 0) - named;
  return out;
}

export const total = (k: Record<RequestKind, number>): number => Object.values(k).reduce((a, b) => a + b, 0);
export const catalogAndReconciliation = (k: Record<RequestKind, number>): number => k.teams + k.tags + k.reconciliation_search;

export interface SteadyRates {
  /** Requests seen in the steady window, by kind (every workspace of the fleet). */
  steady: Record<RequestKind, number>;
  workspaces: number;
  steadyHours: number;
  /** Default-loop runs per workspace in the window (measured on a sample) and the real cadence's runs per hour. */
  defaultRunsPerWorkspace: number;
  realDefaultRunsPerHour: number;
  /** Scheduled reads the window may be too short to see: per workspace-hour. */
  catalogScheduledPerHour: number;
  deletedListScheduledPerHour: number;
}

export interface SteadyShare {
  /** Per workspace-hour at the real cadences: what an idle connected workspace sends. */
  admins: number;
  defaultSearch: number;
  deletedList: number;
  catalog: number;
  reconciliation: number;
  total: number;
  /** (catalog + reconciliation) ÷ total, in %. */
  sharePct: number | null;
}

/**
 * The steady share of an idle workspace at the real cadences, built so that it cannot flatter:
 * - GET /admins: measured (the poller runs at its real 15 s in every mode);
 * - default-loop searches: measured per default run, times the real cadence's runs per hour (the
 *   quick run ticks every 60 s, which would inflate the denominator five times);
 * - conversation details are left out (they follow changes, so an idle workspace sends none, and
 *   leaving them out only raises the share);
 * - the deleted-list read and the periodic catalog read at their schedules' rates (a window shorter
 *   than their periods sees none or one, by phase), plus every catalog read the window did see
 *   (reads for unknown ids; a periodic read that fell in it is then counted twice, erring high);
 * - reconciliation searches as measured in the window.
 */
export function steadyShare(r: SteadyRates): SteadyShare {
  const perWsHour = (n: number) => (r.workspaces > 0 && r.steadyHours > 0 ? n / r.workspaces / r.steadyHours : Number.NaN);
  const searchPerRun = r.defaultRunsPerWorkspace > 0 ? r.steady.search / r.workspaces / r.defaultRunsPerWorkspace : Number.NaN;
  const admins = perWsHour(r.steady.admins);
  const defaultSearch = searchPerRun * r.realDefaultRunsPerHour;
  const deletedList = r.deletedListScheduledPerHour;
  const catalog = r.catalogScheduledPerHour + perWsHour(r.steady.teams + r.steady.tags);
  const reconciliation = perWsHour(r.steady.reconciliation_search);
  const sum = admins + defaultSearch + deletedList + catalog + reconciliation;
  const sharePct = Number.isFinite(sum) && sum > 0 ? (100 * (catalog + reconciliation)) / sum : null;
  return { admins, defaultSearch, deletedList, catalog, reconciliation, total: sum, sharePct };
}
