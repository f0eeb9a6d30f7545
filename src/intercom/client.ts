import { getMaxListeners, setMaxListeners } from 'node:events';
import type { z } from 'zod';
import type { RequestMetrics } from '../observability/metrics';
import type { RateLimitObservation, RateLimiter } from '../ratelimit/limiter';
import { sleep } from '../ratelimit/sleep';
import { IntercomError, isIntercomError } from './errors';
import type { IntercomHttp } from './http';
import { apiBaseUrl, type Region } from './regions';
import { classifyResponse, DEFAULT_BACKOFF, intHeader, retryDelayMs, type BackoffOptions, type ResponseHeaders } from './retryPolicy';
import { DEADLINE_FACTOR, RESPONSE_CAPS, type EndpointKind } from './limits';
import { sendOnce, type Sent } from './send';
import {
  adminListSchema,
  conversationSchema,
  deletedConversationListSchema,
  meSchema,
  searchResponseSchema,
  tagListSchema,
  teamListSchema,
  tokenResponseSchema,
  type Admin,
  type Conversation,
  type DeletedConversationList,
  type Me,
  type SearchQuery,
  type SearchRequest,
  type SearchResponse,
  type Tag,
  type Team,
} from './schemas';
import { MAX_SEARCH_PAGE_SIZE } from './search';
import { INTERCOM_VERSION } from './version';

export { INTERCOM_VERSION } from './version';
export { apiBaseUrl, appBaseUrl, regionFromMe, type Region } from './regions';
export { createIntercomHttp, type IntercomHttp, type IntercomHttpOptions } from './http';
export { inWindow, windowQuery } from './search';
export { IntercomError, isAuthError, isIntercomError, type IntercomErrorCode } from './errors';
export { RESPONSE_CAPS } from './limits';

export interface IntercomClientOptions {
  workspaceId: string;
  token: string;
  region: Region;
  /** Replaces the region's host (tests, the simulator). */
  baseUrl?: string;
  http: IntercomHttp;
  limiter: RateLimiter;
  /** Per request: time allowed for the response headers, and then between body chunks. Default 20 000; searches get three times as much. */
  timeoutMs?: number;
  /** Per attempt: the whole response (headers and body) must be in by then. Default twice timeoutMs; searches get three times as much. */
  deadlineMs?: number;
  /** Retries of a retryable failure before its IntercomError is thrown. Default 4. */
  maxRetries?: number;
  /** Aborts waits and requests (e.g. on activity cancellation); the abort reason is thrown as is. */
  signal?: AbortSignal;
  backoff?: BackoffOptions;
  /** Counts every exchange by endpoint template and status. */
  metrics?: RequestMetrics;
}

/** GET /conversations/deleted: the largest page Intercom serves, and the first API version that has it. */
export const MAX_DELETED_PAGE_SIZE = 60;
export const DELETED_CONVERSATIONS_VERSION = '2.16';

export interface SearchPage {
  page: SearchResponse;
  /** The starting_after used to get THIS page (null for the first): pass it back to re-request the page. */
  cursor: string | null;
  /** The starting_after of the next page; null on the last page. */
  next: string | null;
}

type Method = 'GET' | 'POST';

interface CallOptions {
  body?: string;
  /** A 404 answers null instead of throwing (a conversation that is gone). */
  nullOn404?: boolean;
  /** Decides the body cap (limits.ts) and whether the request takes one of the process's detail slots. */
  kind: EndpointKind;
  /** Multiplies the client's idle timeout and deadline (searches get three times as long). */
  scale?: number;
  /** Overrides the pinned Intercom-Version for an endpoint that only a newer version has. */
  version?: string;
}

function observation(status: number, headers: ResponseHeaders): RateLimitObservation {
  const obs: RateLimitObservation = { status };
  const limit = intHeader(headers, 'x-ratelimit-limit');
  const remaining = intHeader(headers, 'x-ratelimit-remaining');
  const reset = intHeader(headers, 'x-ratelimit-reset');
  if (limit !== undefined) obs.limit = limit;
  if (remaining !== undefined) obs.remaining = remaining;
  if (reset !== undefined) obs.resetSec = reset;
  return obs;
}

/** 'a.b[3].c' from a zod issue path. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(root)';
}

/** Parses a 2xx body: invalid JSON or a body the schema rejects is a contract violation (never retried). */
function parseBody<S extends z.ZodType>(endpoint: string, schema: S, text: string, status: number, requestId: string | undefined): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new IntercomError({
      code: 'contract_violation',
      endpoint,
      status,
      retryable: false,
      // Never quote the body: a 2xx body may hold a token (OAuth) or a customer's words.
      problem: `response is not valid JSON (${text.length} bytes${text.trimStart().startsWith('<') ? ', looks like HTML' : ''})`,
      ...(requestId ? { requestId } : {}),
    });
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue ? formatPath(issue.path) : '(root)';
  const what = (issue?.message ?? 'invalid').replace(/^Invalid input: /, '');
  throw new IntercomError({
    code: 'contract_violation',
    endpoint,
    status,
    retryable: false,
    field,
    problem: `response breaks the contract at ${field}: ${what}`,
    ...(requestId ? { requestId } : {}),
  });
}

/**
 * Intercom REST client for one workspace. Every request: limiter.acquire → request (Bearer token, pinned
 * Intercom-Version, timeout) → limiter.observe(headers) → zod-validated body; retryable failures (see
 * retryPolicy.ts) are retried up to maxRetries times.
 */
export class IntercomClient {
  readonly workspaceId: string;
  readonly #token: string;
  readonly #headers: Record<string, string>;
  readonly #jsonHeaders: Record<string, string>;
  readonly #origin: string;
  readonly #basePath: string;
  readonly #http: IntercomHttp;
  readonly #limiter: RateLimiter;
  readonly #timeoutMs: number;
  readonly #deadlineMs: number;
  readonly #maxRetries: number;
  readonly #signal: AbortSignal | undefined;
  readonly #backoff: BackoffOptions;
  readonly #metrics: RequestMetrics | undefined;
  #requestsSent = 0;

  constructor(opts: IntercomClientOptions) {
    this.workspaceId = opts.workspaceId;
    this.#token = opts.token;
    const base = new URL(apiBaseUrl(opts.region, opts.baseUrl));
    this.#origin = base.origin;
    this.#basePath = base.pathname.replace(/\/+$/, '');
    this.#http = opts.http;
    this.#limiter = opts.limiter;
    this.#timeoutMs = opts.timeoutMs ?? 20_000;
    this.#deadlineMs = opts.deadlineMs ?? DEADLINE_FACTOR * this.#timeoutMs;
    this.#maxRetries = opts.maxRetries ?? 4;
    this.#signal = opts.signal;
    // Every concurrent request and wait listens on the signal: lift Node's leak warning threshold (10) for it.
    if (opts.signal && getMaxListeners(opts.signal) !== 0 && getMaxListeners(opts.signal) < 1000) setMaxListeners(1000, opts.signal);
    this.#backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.#metrics = opts.metrics;
    this.#headers = {
      authorization: `Bearer ${opts.token}`,
      'intercom-version': INTERCOM_VERSION,
      accept: 'application/json',
    };
    this.#jsonHeaders = { ...this.#headers, 'content-type': 'application/json' };
  }

  /** HTTP requests sent so far, retries included. */
  get requestsSent(): number {
    return this.#requestsSent;
  }

  me(): Promise<Me> {
    return this.#call('GET', '/me', 'GET /me', meSchema, { kind: 'small' });
  }

  /** One page of POST /conversations/search. */
  search(req: SearchRequest): Promise<SearchResponse> {
    // Searches of 150 per page are reported to take ~18 s on busy workspaces: give them room.
    return this.#call('POST', '/conversations/search', 'POST /conversations/search', searchResponseSchema, { body: JSON.stringify(req), kind: 'search', scale: 3 });
  }

  /** Every page of a search, in order, starting after `startingAfter` (a cursor from an earlier run). */
  async *searchPages(query: SearchQuery, opts: { perPage?: number; startingAfter?: string | null } = {}): AsyncGenerator<SearchPage> {
    const perPage = Math.min(MAX_SEARCH_PAGE_SIZE, Math.max(1, opts.perPage ?? MAX_SEARCH_PAGE_SIZE));
    let cursor = opts.startingAfter ?? null;
    const seen = new Set<string>();
    for (;;) {
      const page = await this.search({ query, pagination: cursor ? { per_page: perPage, starting_after: cursor } : { per_page: perPage } });
      // A last page may carry `next` with a null or empty cursor: both mean there is no next page.
      const next = page.pages?.next?.starting_after || null;
      yield { page, cursor, next };
      if (next === null) return;
      if (seen.has(next)) {
        throw new IntercomError({
          code: 'contract_violation',
          endpoint: 'POST /conversations/search',
          retryable: false,
          field: 'pages.next.starting_after',
          problem: 'response breaks the contract at pages.next.starting_after: the cursor repeats an earlier page (pagination loop)',
        });
      }
      seen.add(next);
      cursor = next;
    }
  }

  /** The conversation with its parts (plain-text bodies); null when it does not exist (404). */
  getConversation(id: string): Promise<Conversation | null> {
    return this.#call('GET', `/conversations/${encodeURIComponent(id)}?display_as=plaintext`, 'GET /conversations/{id}', conversationSchema, { nullOn404: true, kind: 'detail' });
  }

  async listAdmins(): Promise<Admin[]> {
    return (await this.#call('GET', '/admins', 'GET /admins', adminListSchema, { kind: 'list' })).admins;
  }

  async listTeams(): Promise<Team[]> {
    return (await this.#call('GET', '/teams', 'GET /teams', teamListSchema, { kind: 'list' })).teams;
  }

  async listTags(): Promise<Tag[]> {
    return (await this.#call('GET', '/tags', 'GET /tags', tagListSchema, { kind: 'list' })).data;
  }

  /**
   * One page of GET /conversations/deleted (Intercom-Version 2.16+, sent for this request only):
   * ids with `deleted_at`, page-number pagination, `perPage` at most 60, newest deletion first
   * unless `order: 'asc'`. A workspace whose API lacks it answers 400 (intercom_version_invalid)
   * or 404, thrown as an IntercomError with code bad_request / not_found.
   */
  listDeletedConversations(opts: { page?: number; perPage?: number; order?: 'asc' | 'desc' } = {}): Promise<DeletedConversationList> {
    const page = Math.max(1, Math.floor(opts.page ?? 1));
    const perPage = Math.min(MAX_DELETED_PAGE_SIZE, Math.max(1, Math.floor(opts.perPage ?? MAX_DELETED_PAGE_SIZE)));
    const query = new URLSearchParams({ page: String(page), per_page: String(perPage), order: opts.order ?? 'desc' });
    return this.#call('GET', `/conversations/deleted?${query.toString()}`, 'GET /conversations/deleted', deletedConversationListSchema, { kind: 'list', version: DELETED_CONVERSATIONS_VERSION });
  }

  #call<S extends z.ZodType>(method: Method, path: string, endpoint: string, schema: S, opts: CallOptions & { nullOn404?: false }): Promise<z.output<S>>;
  #call<S extends z.ZodType>(method: Method, path: string, endpoint: string, schema: S, opts: CallOptions & { nullOn404: true }): Promise<z.output<S> | null>;
  async #call<S extends z.ZodType>(method: Method, path: string, endpoint: string, schema: S, opts: CallOptions): Promise<z.output<S> | null> {
    const { body, nullOn404 = false, kind, scale = 1, version } = opts;
    const baseHeaders = body === undefined ? this.#headers : this.#jsonHeaders;
    const requestHeaders = version === undefined ? baseHeaders : { ...baseHeaders, 'intercom-version': version };
    const signal = this.#signal;
    const secrets = [this.#token];
    for (let attempt = 0; ; attempt++) {
      await this.#limiter.acquire(this.workspaceId, signal);
      // After the rate token, so a workspace waiting at its gate or for its window holds no slot.
      const release = kind === 'detail' ? await this.#http.detailSlots.acquire(signal) : undefined;
      let err: IntercomError;
      let sent: Sent;
      this.#requestsSent++;
      try {
        sent = await sendOnce({
          dispatcher: this.#http.dispatcher,
          request: { origin: this.#origin, path: this.#basePath + path, method, headers: requestHeaders, body },
          endpoint,
          idleTimeoutMs: scale * this.#timeoutMs,
          deadlineMs: scale * this.#deadlineMs,
          capBytes: RESPONSE_CAPS[kind],
          signal,
          secrets,
          onHeaders: (status, headers) => this.#limiter.observe(this.workspaceId, observation(status, headers)),
        });
      } catch (e) {
        if (!isIntercomError(e)) throw e; // the caller's abort, or the limiter's own failure
        err = e;
        this.#metrics?.request(endpoint, err.code);
        if (!err.retryable || attempt >= this.#maxRetries) throw err;
        await sleep(retryDelayMs(err, attempt, this.#backoff), signal);
        continue;
      } finally {
        release?.();
      }
      const { status, headers, text } = sent;
      this.#metrics?.request(endpoint, status);
      if (status >= 200 && status < 300) {
        const requestId = headers['x-request-id'];
        return parseBody(endpoint, schema, text, status, typeof requestId === 'string' ? requestId : undefined);
      }
      if (status === 404 && nullOn404) return null;
      err = classifyResponse(endpoint, status, headers, text, Date.now(), secrets);
      if (!err.retryable || attempt >= this.#maxRetries) throw err;
      await sleep(retryDelayMs(err, attempt, this.#backoff), signal);
    }
  }
}

/** OAuth: trades an authorization code for the workspace's access token (POST /auth/eagle/token, form-encoded). */
export async function exchangeOAuthCode(opts: { http: IntercomHttp; baseUrl: string; clientId: string; clientSecret: string; code: string; timeoutMs?: number }): Promise<string> {
  const endpoint = 'POST /auth/eagle/token';
  const base = new URL(opts.baseUrl.replace(/\/+$/, ''));
  const secrets = [opts.clientSecret, opts.code];
  const form = new URLSearchParams({ code: opts.code, client_id: opts.clientId, client_secret: opts.clientSecret }).toString();
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const { status, headers, text } = await sendOnce({
    dispatcher: opts.http.dispatcher,
    request: {
      origin: base.origin,
      path: `${base.pathname.replace(/\/+$/, '')}/auth/eagle/token`,
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', 'intercom-version': INTERCOM_VERSION },
      body: form,
    },
    endpoint,
    idleTimeoutMs: timeoutMs,
    deadlineMs: DEADLINE_FACTOR * timeoutMs,
    capBytes: RESPONSE_CAPS.small,
    secrets,
  });
  if (status < 200 || status >= 300) throw classifyResponse(endpoint, status, headers, text, Date.now(), secrets);
  const token = parseBody(endpoint, tokenResponseSchema, text, status, undefined);
  const accessToken = token.access_token ?? token.token;
  // Unreachable while the schema's refine holds; kept so the type needs no cast.
  if (!accessToken) throw new IntercomError({ code: 'contract_violation', endpoint, status, retryable: false, field: 'access_token', problem: 'response breaks the contract at access_token: missing' });
  return accessToken;
}
