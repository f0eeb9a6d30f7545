// What a failed statement says about the database (connection lost) or about the data (refused),
// for the two places that act on it at the statement level: a short retry of idempotent statements
// on a fresh connection, and the row-by-row retry of a batch the database refuses. Whether an
// activity is retried is decided elsewhere (activities/failures.ts), from the same pg errors.

/** Socket errors on the way to the database. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/**
 * pg's own messages (no SQLSTATE) when a connection goes away. A pool checkout timeout ("timeout
 * exceeded when trying to connect") is not among them: the pool is busy or the server unreachable,
 * and trying again at once would only add to the queue; the caller fails and is retried later.
 */
const LOST_MESSAGES = [/connection terminated/i, /not queryable/i, /connection is closed/i];

function codeOf(err: unknown): string | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

const isSqlState = (code: string | undefined): code is string => code !== undefined && /^[0-9A-Z]{5}$/.test(code);

/**
 * The statement did not run to an answer because the connection was lost or could not be made:
 * a terminated backend (57P01), a crash or restart (57P02, 57P03, class 08), a socket error.
 * Another connection may well succeed.
 */
export function isConnectionLost(err: unknown): boolean {
  const code = codeOf(err);
  if (code !== undefined && SOCKET_CODES.has(code)) return true;
  if (isSqlState(code)) return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03';
  const message = err instanceof Error ? err.message : '';
  return LOST_MESSAGES.some((re) => re.test(message));
}

/**
 * The database refused the statement because of the values in it: data exceptions (class 22,
 * e.g. 22021 a NUL in text, 22008 a timestamp out of range), integrity violations (class 23) and
 * program limits (class 54, e.g. an index row too large). A RangeError is the same refusal raised
 * on our side while the statement's parameters were built (an invalid Date). Never a lost connection.
 */
export function isDataError(err: unknown): boolean {
  if (err instanceof RangeError) return true;
  const code = codeOf(err);
  return isSqlState(code) && (code.startsWith('22') || code.startsWith('23') || code.startsWith('54'));
}

/**
 * A refusal in words for sync_errors: the SQLSTATE and Postgres's message, with any quoted value
 * replaced by "…" (messages such as `invalid input syntax for type integer: "…"` quote the input,
 * which could be a record's content). Identifiers such as "UTF8" stay.
 */
export function describeDataError(err: unknown): string {
  const code = codeOf(err);
  const raw = err instanceof Error ? err.message : String(err);
  const message = raw.replace(/"[^"]*"/g, (q) => (/^"[A-Za-z0-9_.]{1,40}"$/.test(q) ? q : '"…"')).slice(0, 300);
  return isSqlState(code) ? `database refused the row (SQLSTATE ${code}): ${message}` : `database refused the row: ${message}`;
}

export interface ConnectionRetryOptions {
  /** Tries in all, the first included. Default 3. */
  attempts?: number;
  /** Wait before the n-th retry: delays[n - 1], the last repeated. Default 100 ms, then 500 ms. */
  delaysMs?: readonly number[];
}

/**
 * Runs an idempotent statement (an upsert, a read, a claim that at worst wastes tokens) again on a
 * fresh connection when its connection was lost, a bounded number of times: a terminated backend
 * then costs one statement, not the activity's page. A database that stays away still fails the
 * caller, with the pg error itself, within a second or so. Never for non-idempotent work.
 */
export async function retryOnConnectionLoss<T>(fn: () => Promise<T>, opts: ConnectionRetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 3;
  const delays = opts.delaysMs ?? [100, 500];
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !isConnectionLost(err)) throw err;
      const delay = delays[Math.min(attempt - 1, delays.length - 1)] ?? 0;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
