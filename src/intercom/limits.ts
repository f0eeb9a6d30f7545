/**
 * How much of a response we are willing to hold, per endpoint kind. A body over its cap is refused (the socket is
 * closed as soon as the cap is crossed, or at once when Content-Length already says so), never buffered whole.
 *
 * - detail (GET /conversations/{id}): Intercom returns at most 500 parts, as plain text. A long e-mail thread is
 *   a few hundred KB; 4 MiB leaves ~8 KB for each of 500 parts. A conversation over it is quarantined in
 *   sync_errors (a per-record problem), the rest of its window carries on.
 * - search (POST /conversations/search): 150 conversations without parts, each with its first message. 16 MiB.
 *   A page over it fails the call as response_too_large (retryable: false, the same page would come again).
 * - list (GET /admins, /teams, /tags): whole directories in one answer. 16 MiB (about 100,000 tags).
 * - small (GET /me, the OAuth token exchange): 1 MiB.
 * - error bodies (any non-2xx): only the first 64 KiB are read, to quote Intercom's error code; the rest is dropped.
 */
export const RESPONSE_CAPS = {
  detail: 4 * 1024 * 1024,
  search: 16 * 1024 * 1024,
  list: 16 * 1024 * 1024,
  small: 1024 * 1024,
  error: 64 * 1024,
} as const;

export type EndpointKind = Exclude<keyof typeof RESPONSE_CAPS, 'error'>;

/**
 * Raw detail-body bytes one process may hold at once (all windows, all workspaces): 512 MiB. Detail requests in
 * flight per process = floor(budget / RESPONSE_CAPS.detail) = 512 MiB / 4 MiB = 128, whatever DETAIL_CONCURRENCY
 * and the number of windows and workspaces ask for; so 128 × 4 MiB = 512 MiB is the most detail bodies can
 * occupy. (At ~80 ms per request, 128 in flight is ~1,600 details/s, about ten workspaces at Intercom's full
 * 10,000 requests/min; a slot is taken after the rate-limit token, so a paused workspace holds none.)
 */
export const DEFAULT_DETAIL_MEMORY_BYTES = 512 * 1024 * 1024;

export function detailSlotsFor(memoryBytes: number, detailCap: number = RESPONSE_CAPS.detail): number {
  return Math.max(1, Math.floor(memoryBytes / detailCap));
}

/** The overall deadline of one attempt (headers and the whole body), as a multiple of the idle timeout. */
export const DEADLINE_FACTOR = 2;
