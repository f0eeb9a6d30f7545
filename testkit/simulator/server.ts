import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Faults } from './faults';
import type { Reply } from './http';
import { BodyTooLarge, errorReply, jsonReply, readBody, send, trickle } from './http';
import type { OAuthServer } from './oauth';
import type { RateDecision, RateLimiter } from './rateLimit';
import type { Rng } from './random';
import { parseSearchRequest, runSearch, SearchError } from './search';
import type { StatsCollector } from './stats';
import type { TokenRegistry } from './tokens';
import type { WorkspaceState } from './workspace';

/** What GET /me reports as app.region, per workspace region. */
export const REGION_NAMES: Record<string, string> = { us: 'US', eu: 'Europe', au: 'Australia' };
const TIMEZONES: Record<string, string> = { us: 'America/Los_Angeles', eu: 'Europe/Dublin', au: 'Australia/Sydney' };

export interface ServerDeps {
  workspaces: Map<string, WorkspaceState>;
  tokens: TokenRegistry;
  oauth: OAuthServer;
  rate: RateLimiter;
  stats: StatsCollector;
  faults: Faults;
  /** Drives latency jitter. */
  rng: Rng;
}

type Route =
  | { kind: 'oauth'; endpoint: string }
  | { kind: 'token'; endpoint: string }
  | { kind: 'api'; endpoint: string; conversationId?: string };

function route(method: string, path: string): Route | null {
  if (method === 'GET' && path === '/oauth') return { kind: 'oauth', endpoint: 'GET /oauth' };
  if (method === 'POST' && path === '/auth/eagle/token') return { kind: 'token', endpoint: 'POST /auth/eagle/token' };
  if (method === 'POST' && path === '/conversations/search') return { kind: 'api', endpoint: 'POST /conversations/search' };
  if (method === 'GET' && (path === '/me' || path === '/admins' || path === '/teams' || path === '/tags')) {
    return { kind: 'api', endpoint: `GET ${path}` };
  }
  if (method === 'GET' && path === '/conversations/deleted') return { kind: 'api', endpoint: 'GET /conversations/deleted' };
  const m = /^\/conversations\/([^/]+)$/.exec(path);
  if (method === 'GET' && m !== null && m[1] !== 'search') {
    return { kind: 'api', endpoint: 'GET /conversations/{id}', conversationId: decodeURIComponent(m[1] ?? '') };
  }
  return null;
}

function rateHeaders(d: RateDecision): Record<string, string> {
  return { 'x-ratelimit-limit': String(d.limit), 'x-ratelimit-remaining': String(d.remaining), 'x-ratelimit-reset': String(d.resetSec) };
}

export class SimServer {
  readonly server: Server;
  latencyMs = 0;
  jitterMs = 0;
  /** Wakes every held response, so stop() never waits for a timeout to elapse. */
  private readonly sleepers = new Set<() => void>();

  constructor(private readonly deps: ServerDeps) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        const status = err instanceof BodyTooLarge ? 413 : 500;
        send(res, errorReply(status, status === 413 ? 'bad_request' : 'server_error', err instanceof Error ? err.message : String(err)));
      });
    });
  }

  async listen(port: number): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    const addr = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${addr.port}`;
  }

  async close(): Promise<void> {
    for (const wake of [...this.sleepers]) wake();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  /** Waits ms, or less if the client goes away or the server stops. */
  private sleep(ms: number, res: ServerResponse): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        res.off('close', wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
      res.once('close', wake);
    });
  }

  private latency(res: ServerResponse): Promise<void> {
    const jitter = this.jitterMs > 0 ? this.deps.rng.float() * this.jitterMs : 0;
    return this.sleep(this.latencyMs + jitter, res);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { stats, tokens, rate, faults } = this.deps;
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    const r = route(method, path);
    if (r === null) {
      stats.record('OTHER', null, null, false);
      await this.latency(res);
      send(res, errorReply(404, 'not_found', `No route for ${method} ${path}`));
      return;
    }
    if (r.kind === 'oauth') {
      stats.record(r.endpoint, null, null, false);
      await this.latency(res);
      send(res, this.deps.oauth.authorize(url.searchParams));
      return;
    }
    if (r.kind === 'token') {
      stats.record(r.endpoint, null, null, false);
      const body = await readBody(req);
      await this.latency(res);
      send(res, this.deps.oauth.exchange(body, req.headers['content-type']));
      return;
    }

    const auth = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const token = auth?.[1] ?? null;
    const workspaceId = token === null ? null : tokens.lookup(token);
    const ws = workspaceId === null ? undefined : this.deps.workspaces.get(workspaceId);
    if (ws === undefined) {
      stats.record(r.endpoint, token === null ? null : tokens.revokedWorkspace(token), null, false);
      await this.latency(res);
      send(res, errorReply(401, 'unauthorized', 'Access Token Invalid'));
      return;
    }
    const decision = rate.take(ws.id);
    const headers = rateHeaders(decision);
    stats.record(r.endpoint, ws.id, decision.window, !decision.allowed);
    if (!decision.allowed) {
      await this.latency(res);
      send(res, errorReply(429, 'rate_limit_exceeded', `Exceeded rate limit of ${decision.limit} in ${rate.windowLabel()}`, headers));
      return;
    }
    const body = method === 'POST' ? await readBody(req) : '';
    const pinned = faults.pinnedFor(r.endpoint);
    const fault = pinned === 'bad_request' ? 'none' : (pinned ?? faults.decide());
    await this.latency(res);
    if (pinned === 'bad_request') {
      send(res, errorReply(400, 'parameter_invalid', 'Simulated bad request', headers));
      return;
    }
    if (fault === 'timeout') {
      await this.sleep(faults.options.timeoutMs, res);
      send(res, errorReply(504, 'request_timeout', 'Gateway Timeout', headers));
      return;
    }
    if (fault === 'server_error') {
      const e = faults.serverError();
      send(res, errorReply(e.status, e.code, e.message, headers));
      return;
    }
    const reply = this.api(r, ws, url, body, req);
    if (reply.status === 200 && fault === 'malformed') {
      send(res, { status: 200, body: faults.malform(reply.body), headers });
      return;
    }
    if (reply.status === 200 && r.endpoint === 'POST /conversations/search') stats.searchServed(ws.id, body);
    if (reply.status === 200 && r.conversationId !== undefined) stats.conversationFetched(r.conversationId);
    const trickleMs = reply.status === 200 && r.conversationId !== undefined ? ws.trickleMs(r.conversationId) : undefined;
    if (trickleMs !== undefined) trickle(res, { ...reply, headers: { ...headers, ...reply.headers } }, trickleMs);
    else send(res, { ...reply, headers: { ...headers, ...reply.headers } });
  }

  private api(r: Route & { kind: 'api' }, ws: WorkspaceState, url: URL, body: string, req: IncomingMessage): Reply {
    const version = req.headers['intercom-version'];
    if (typeof version === 'string' && !/^(\d+\.\d+|unstable|preview)$/i.test(version.trim())) {
      return errorReply(400, 'intercom_version_invalid', `Requested version ${version} is not valid`);
    }
    switch (r.endpoint) {
      case 'GET /me':
        return jsonReply(me(ws));
      case 'GET /admins':
        return jsonReply({ type: 'admin.list', admins: ws.directory.admins });
      case 'GET /teams':
        return jsonReply({ type: 'team.list', teams: ws.directory.teams });
      case 'GET /tags':
        return jsonReply({ type: 'list', data: ws.directory.tags });
      case 'POST /conversations/search':
        return search(ws, body);
      case 'GET /conversations/deleted':
        return deletedList(ws, url, typeof version === 'string' ? version : undefined);
      default: {
        const rec = r.conversationId === undefined ? undefined : ws.record(r.conversationId);
        if (rec === undefined) return errorReply(404, 'not_found', 'Resource Not Found');
        return { status: 200, body: ws.conversationJson(rec, url.searchParams.get('display_as') === 'plaintext') };
      }
    }
  }
}

function search(ws: WorkspaceState, body: string): Reply {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return errorReply(400, 'bad_request', 'The request body is not valid JSON');
  }
  try {
    return { status: 200, body: runSearch(ws, parseSearchRequest(parsed)).json };
  } catch (err) {
    if (err instanceof SearchError) return errorReply(400, 'parameter_invalid', err.message);
    throw err;
  }
}

/** API versions as comparable numbers: 2.16 → 216; unstable / preview are newer than any number. */
function versionRank(v: string | undefined): number {
  if (v === undefined) return 0;
  const m = /^(\d+)\.(\d+)$/.exec(v.trim());
  return m === null ? Number.MAX_SAFE_INTEGER : Number(m[1]) * 100 + Number(m[2]);
}

const DELETED_MAX_PER_PAGE = 60;

/** GET /conversations/deleted (2.16+): page-number pagination, newest deletion first unless order=asc. */
function deletedList(ws: WorkspaceState, url: URL, version: string | undefined): Reply {
  if (!ws.deletedListingAvailable || versionRank(version) < 216) {
    return errorReply(400, 'intercom_version_invalid', 'Requested resource is not available in current API version.');
  }
  const int = (name: string, fallback: number): number | null => {
    const raw = url.searchParams.get(name);
    if (raw === null || raw === '') return fallback;
    return /^\d+$/.test(raw) ? Number(raw) : null;
  };
  const page = int('page', 1);
  const perPage = int('per_page', 20);
  const order = url.searchParams.get('order') ?? 'desc';
  if (page === null || page < 1) return errorReply(400, 'parameter_invalid', 'page must be a positive integer');
  if (perPage === null || perPage < 1 || perPage > DELETED_MAX_PER_PAGE) return errorReply(400, 'parameter_invalid', `per_page must be between 1 and ${DELETED_MAX_PER_PAGE}`);
  if (order !== 'asc' && order !== 'desc') return errorReply(400, 'parameter_invalid', 'order must be asc or desc');
  const all = ws.deletedConversations();
  if (order === 'asc') all.reverse();
  const totalPages = Math.ceil(all.length / perPage);
  const next = page < totalPages ? `https://api.intercom.io/conversations/deleted?per_page=${perPage}&order=${order}&page=${page + 1}` : null;
  return jsonReply({
    type: 'conversations.list',
    conversations: all.slice((page - 1) * perPage, page * perPage),
    pages: { type: 'pages', next, page, per_page: perPage, total_pages: totalPages },
    total_count: all.length,
  });
}

function me(ws: WorkspaceState): unknown {
  const admin = ws.directory.admins[0];
  return {
    type: 'admin',
    id: admin?.id ?? '0',
    email: admin?.email ?? null,
    name: admin?.name ?? null,
    email_verified: true,
    has_inbox_seat: true,
    avatar: admin?.avatar ?? null,
    app: {
      type: 'app',
      id_code: ws.id,
      name: ws.name,
      created_at: 1_500_000_000,
      secure: false,
      identity_verification: false,
      timezone: TIMEZONES[ws.region] ?? 'UTC',
      region: REGION_NAMES[ws.region] ?? ws.region.toUpperCase(),
    },
  };
}
