import { IntercomError, redact, type IntercomErrorCode } from './errors';
import { errorListSchema } from './schemas';

// The one place that decides what a failure is, whether it is worth retrying, and how long to wait first.

export type ResponseHeaders = Record<string, string | string[] | undefined>;

export interface BackoffOptions {
  /** First backoff delay (before jitter). */
  baseDelayMs: number;
  /** Upper bound of any single wait, whatever the server asks for. */
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseDelayMs: 500, maxDelayMs: 60_000 };

/** Error codes Intercom uses for a token that is invalid, revoked or suspended (Ruby SDK's auth errors). */
const UNAUTHORIZED_CODES = new Set(['unauthorized', 'token_unauthorized', 'token_not_found', 'token_revoked', 'token_suspended']);
const FORBIDDEN_CODES = new Set(['forbidden', 'api_plan_restricted']);
const RATE_LIMIT_CODES = new Set(['rate_limit_exceeded', 'too_many_requests']);

/** Socket-level failures worth another attempt: the server or the path to it hiccupped. */
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENETRESET',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_REQ_RETRY',
  'UND_ERR_RESPONSE_STATUS_CODE',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export function header(headers: ResponseHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function intHeader(headers: ResponseHeaders, name: string): number | undefined {
  const v = header(headers, name)?.trim();
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? Math.trunc(n) : undefined;
}

/**
 * When the server says a retry may come. `X-RateLimit-Reset` rides on every response, so it only
 * means "wait" on a 429 (`rateLimited`); for a 5xx it would line every failed request up on the
 * window boundary, so only `Retry-After` counts there and the rest is exponential backoff.
 */
export function serverRetryAfterMs(headers: ResponseHeaders, nowMs: number, rateLimited = true): number | undefined {
  const reset = rateLimited ? intHeader(headers, 'x-ratelimit-reset') : undefined;
  if (reset !== undefined && reset > 0) {
    const ms = reset * 1000 - nowMs;
    if (ms > 0) return ms;
  }
  const ra = header(headers, 'retry-after');
  if (ra !== undefined && ra.trim() !== '') {
    const secs = Number(ra.trim());
    if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
    const date = Date.parse(ra);
    if (Number.isFinite(date)) return Math.max(0, date - nowMs);
  }
  return undefined;
}

export interface ParsedErrorBody {
  codes: string[];
  message?: string;
  requestId?: string;
}

/** Best effort: Intercom's `error.list` body, if the text is one. */
export function parseErrorBody(text: string): ParsedErrorBody | undefined {
  if (!text || text[0] !== '{') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = errorListSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const first = parsed.data.errors[0];
  const out: ParsedErrorBody = { codes: parsed.data.errors.map((e) => e.code) };
  if (first?.message) out.message = first.message;
  if (parsed.data.request_id) out.requestId = parsed.data.request_id;
  return out;
}

function codeForStatus(status: number, codes: readonly string[]): { code: IntercomErrorCode; retryable: boolean } {
  if (status === 429 || codes.some((c) => RATE_LIMIT_CODES.has(c))) return { code: 'rate_limited', retryable: true };
  if (status === 401 || codes.some((c) => UNAUTHORIZED_CODES.has(c))) return { code: 'unauthorized', retryable: false };
  if (status === 403 || codes.some((c) => FORBIDDEN_CODES.has(c))) return { code: 'forbidden', retryable: false };
  if (status === 404) return { code: 'not_found', retryable: false };
  if (status === 408) return { code: 'timeout', retryable: true };
  if (status >= 500) return { code: 'server_error', retryable: true };
  return { code: 'bad_request', retryable: false };
}

/**
 * Classifies a non-2xx response. `bodyText` may be empty (or unreadable); `secrets` are scrubbed from any server
 * message quoted in the error.
 */
export function classifyResponse(
  endpoint: string,
  status: number,
  headers: ResponseHeaders,
  bodyText: string,
  nowMs: number,
  secrets: readonly string[] = [],
): IntercomError {
  const body = parseErrorBody(bodyText);
  const codes = body?.codes ?? [];
  const { code, retryable } = codeForStatus(status, codes);
  const detail = [codes.join(','), body?.message ? redact(body.message, secrets) : ''].filter(Boolean).join(' ');
  const requestId = body?.requestId ?? header(headers, 'x-request-id');
  const retryAfterMs = retryable ? serverRetryAfterMs(headers, nowMs, code === 'rate_limited') : undefined;
  return new IntercomError({
    code,
    endpoint,
    status,
    retryable,
    problem: `HTTP ${status} ${code}${detail ? ` (${detail.slice(0, 300)})` : ''}`,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(requestId ? { requestId } : {}),
  });
}

function errCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const c = (e as { code?: unknown }).code;
  if (typeof c === 'string') return c;
  const cause = (e as { cause?: unknown }).cause;
  return cause !== e ? errCode(cause) : undefined;
}

/** Classifies an exception thrown while sending a request or reading its body (not a caller's abort: rethrow that). */
export function classifyThrown(endpoint: string, e: unknown, secrets: readonly string[] = []): IntercomError {
  if (e instanceof IntercomError) return e;
  const code = errCode(e);
  const name = typeof e === 'object' && e !== null ? (e as { name?: unknown }).name : undefined;
  const raw = e instanceof Error ? e.message : String(e);
  const message = redact(raw, secrets).slice(0, 300);
  if ((code && TIMEOUT_CODES.has(code)) || name === 'TimeoutError') {
    return new IntercomError({ code: 'timeout', endpoint, retryable: true, problem: `request timed out (${code ?? name}: ${message})`, cause: e });
  }
  // Only the listed socket-level failures are transient. Anything else (UND_ERR_INVALID_ARG, a destroyed agent,
  // an error without a code) is a bug on our side: reported, not retried.
  const transient = code !== undefined && RETRYABLE_NETWORK_CODES.has(code);
  return new IntercomError({
    code: 'network_error',
    endpoint,
    retryable: transient,
    problem: `${transient ? 'network error' : 'request failed'} (${code ?? name ?? 'unknown'}: ${message})`,
    cause: e,
  });
}

/** Exponential backoff with "equal jitter": half fixed, half random, capped. `attempt` starts at 0. */
export function backoffDelayMs(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const exp = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** Math.min(attempt, 30));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/**
 * How long to wait before retrying `err` (attempt = 0 for the first retry). Rate limits wait for the server's
 * reset (plus a little jitter so waiters don't stampede); everything else backs off exponentially.
 */
export function retryDelayMs(err: IntercomError, attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  if (err.retryAfterMs !== undefined) {
    const jitter = err.code === 'rate_limited' ? Math.round(random() * 50) : 0;
    return Math.min(opts.maxDelayMs, err.retryAfterMs + jitter);
  }
  return backoffDelayMs(attempt, opts, random);
}

/**
 * A body over its endpoint's cap (see limits.ts). Not retried: the same answer would come again. For a conversation
 * detail it is a per-record problem (the sync quarantines the conversation); anywhere else it fails the call.
 */
export function responseTooLarge(endpoint: string, capBytes: number, seenBytes: number, declared: boolean, status?: number): IntercomError {
  const what = declared ? `Content-Length ${seenBytes} bytes` : `more than ${capBytes} bytes were sent`;
  return new IntercomError({
    code: 'response_too_large',
    endpoint,
    retryable: false,
    ...(status !== undefined ? { status } : {}),
    problem: `response too large: ${what}, the cap is ${capBytes} bytes (refused without reading it whole)`,
  });
}

/**
 * The attempt outlived its overall deadline: transient, retried with backoff. Before the headers came it is a plain
 * `timeout` (whichever of undici's headers timer and the deadline fired first); once a response has begun, a slow
 * or trickling body is `deadline_exceeded`.
 */
export function deadlineExceeded(endpoint: string, deadlineMs: number, responseBegun: boolean): IntercomError {
  if (!responseBegun) return new IntercomError({ code: 'timeout', endpoint, retryable: true, problem: `request timed out (no response headers within the ${deadlineMs} ms deadline)` });
  return new IntercomError({ code: 'deadline_exceeded', endpoint, retryable: true, problem: `response not complete within the ${deadlineMs} ms deadline (slow or trickling body)` });
}
