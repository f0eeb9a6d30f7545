import type { SearchQuery } from './schemas';

/** Intercom's search page size limit. */
export const MAX_SEARCH_PAGE_SIZE = 150;

/**
 * A search query that finds every conversation of the half-open window [fromSec, toSecExclusive)
 * on `created_at` or `updated_at`, whether Intercom's `>` and `<` are inclusive (as documented:
 * "greater or equal", "lower or equal") or strict (as one integrator observed at a boundary):
 * `> fromSec - 1 AND < toSecExclusive`. Under the documented reading it also returns the second
 * on either side; `inWindow` drops those, so each conversation belongs to exactly one window.
 */
export function windowQuery(field: 'created_at' | 'updated_at', fromSec: number, toSecExclusive: number): SearchQuery {
  if (!Number.isInteger(fromSec) || !Number.isInteger(toSecExclusive)) {
    throw new RangeError(`windowQuery: bounds must be whole Unix seconds, got [${fromSec}, ${toSecExclusive})`);
  }
  if (toSecExclusive <= fromSec) throw new RangeError(`windowQuery: empty window [${fromSec}, ${toSecExclusive})`);
  return {
    operator: 'AND',
    value: [
      { field, operator: '>', value: fromSec - 1 },
      { field, operator: '<', value: toSecExclusive },
    ],
  };
}

/** The filter that goes with `windowQuery`: whether a search result lies in [fromSec, toSecExclusive). */
export function inWindow<F extends 'created_at' | 'updated_at'>(field: F, fromSec: number, toSecExclusive: number): (c: Record<F, number>) => boolean {
  return (c) => c[field] >= fromSec && c[field] < toSecExclusive;
}
