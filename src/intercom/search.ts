import type { SearchQuery } from './schemas';

/** Intercom's search page size limit. */
export const MAX_SEARCH_PAGE_SIZE = 150;

/**
 * The half-open window [fromSec, toSecExclusive) on `created_at` or `updated_at` as a search query.
 * Intercom's `>` and `<` on dates are inclusive ("greater or equal", "lower or equal"), hence
 * `> fromSec AND < toSecExclusive - 1`.
 */
export function windowQuery(field: 'created_at' | 'updated_at', fromSec: number, toSecExclusive: number): SearchQuery {
  if (!Number.isInteger(fromSec) || !Number.isInteger(toSecExclusive)) {
    throw new RangeError(`windowQuery: bounds must be whole Unix seconds, got [${fromSec}, ${toSecExclusive})`);
  }
  if (toSecExclusive <= fromSec) throw new RangeError(`windowQuery: empty window [${fromSec}, ${toSecExclusive})`);
  return {
    operator: 'AND',
    value: [
      { field, operator: '>', value: fromSec },
      { field, operator: '<', value: toSecExclusive - 1 },
    ],
  };
}
