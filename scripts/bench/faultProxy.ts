import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { breakShape } from '../../testkit/simulator/faults';
import { BAD_TIMESTAMP_SEC } from '../../testkit/simulator/poison';
import { Rng } from '../../testkit/simulator/random';

/**
 * An HTTP proxy in front of the simulated Intercom that misbehaves the way a real network and a real API do:
 * 5xx bodies, responses that stall (no headers, or a body that stops half way), 429 bursts without any
 * X-RateLimit-* header, bodies cut or altered so they break the contract, and per-conversation poison (a NUL or
 * oversized subject, an oversized body, an out-of-range timestamp, a detail that is always malformed).
 * Everything is counted here, at the door: arrivals (what "reached Intercom"), faults by kind, and the intact
 * detail deliveries that refetch figures are computed from.
 */

export type PoisonKind = 'nul_subject' | 'oversized_subject' | 'oversized_body' | 'bad_timestamp' | 'malformed_detail';

/** What a correct sync does with each poisoned conversation. */
export const POISON_OUTCOME: Record<PoisonKind, 'stored_clean' | 'quarantined'> = {
  nul_subject: 'stored_clean', // stored with the NUL removed
  oversized_subject: 'stored_clean', // stored with the subject capped
  oversized_body: 'quarantined', // over the byte cap: never buffered, recorded in sync_errors
  bad_timestamp: 'quarantined', // created_at outside any sane range
  malformed_detail: 'quarantined', // breaks the contract on every answer
};

/** Sizes of the oversized poison: a subject far over any sane column, a body over any sane byte cap. */
export const OVERSIZED_SUBJECT_CHARS = 1 << 20;
export const OVERSIZED_BODY_BYTES = 32 << 20;

export interface FaultRates {
  /** Answered by the proxy with a 500/502/503 (not forwarded). */
  serverError: number;
  /** Stalled: no response headers, or headers and half a body, until the client gives up. */
  timeout: number;
  malformedSearch: number;
  malformedDetail: number;
  malformedOther: number;
}

export interface FaultProxyOptions {
  upstream: string;
  seed: number;
  rates: FaultRates;
  /** A stalled response is dropped after this long if the client is still waiting. */
  stallMaxMs?: number;
}

/** search_updated: a search on updated_at (the default loop), told apart from backfill windows (created_at). */
type Endpoint = 'search' | 'search_updated' | 'detail' | 'admins' | 'me' | 'teams' | 'tags' | 'other';

function endpointOf(method: string, path: string): { endpoint: Endpoint; id?: string } {
  if (method === 'POST' && path === '/conversations/search') return { endpoint: 'search' };
  const m = /^\/conversations\/([^/?]+)/.exec(path);
  if (method === 'GET' && m && m[1] !== 'search') return { endpoint: 'detail', id: decodeURIComponent(m[1] ?? '') };
  const simple: Record<string, Endpoint> = { '/admins': 'admins', '/me': 'me', '/teams': 'teams', '/tags': 'tags' };
  return { endpoint: (method === 'GET' && simple[path]) || 'other' };
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding']);

export class FaultProxy {
  readonly faults: Record<string, number> = {};
  /** Epoch ms of every request that reached the proxy, with its endpoint. */
  readonly arrivals: Array<{ t: number; endpoint: Endpoint }> = [];
  /** Intact 200 detail responses per conversation, keyed by the served updated_at: a refetch is a repeat of both. */
  readonly deliveries = new Map<string, Map<number, number>>();
  /** What each poisoned conversation was last served with (for outcome checks). */
  readonly servedSubjectChars = new Map<string, number>();
  readonly poison = new Map<string, PoisonKind>();
  randomFaults = true;
  private burstUntil = 0;
  private outage = false;
  private readonly rng: Rng;
  private readonly agent = new Agent({ connections: 128, keepAliveTimeout: 10_000 });
  private readonly stalled = new Set<ServerResponse>();
  private server: Server | null = null;
  url = '';

  constructor(private readonly o: FaultProxyOptions) {
    this.rng = new Rng(o.seed);
  }

  async listen(): Promise<string> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.count('proxy_internal_error');
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`proxy: ${String(err)}`);
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    for (const res of this.stalled) res.destroy();
    const server = this.server;
    if (server) {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    }
    await this.agent.close();
  }

  /** Every request answered 429 without rate-limit headers for `ms`. */
  burst429(ms: number): void {
    this.count('rate_limit_burst');
    this.burstUntil = Math.max(this.burstUntil, Date.now() + ms);
  }

  /** Every request answered 503 until turned off (an outage: activities stuck in retries). */
  setOutage(on: boolean): void {
    this.outage = on;
  }

  arrivalsBetween(fromMs: number, toMs: number): Array<{ t: number; endpoint: Endpoint }> {
    return this.arrivals.filter((a) => a.t > fromMs && a.t <= toMs);
  }

  /** Σ over (conversation, served updated_at) of intact deliveries − 1: details fetched again unchanged. */
  refetches(exclude: ReadonlySet<string> = new Set()): number {
    let n = 0;
    for (const [id, versions] of this.deliveries) {
      if (exclude.has(id)) continue;
      for (const c of versions.values()) n += c - 1;
    }
    return n;
  }

  private count(kind: string): void {
    this.faults[kind] = (this.faults[kind] ?? 0) + 1;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const method = req.method ?? 'GET';
    const arrivedAt = Date.now();
    const parsed = endpointOf(method, url.pathname.replace(/\/+$/, ''));
    const id = parsed.id;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const endpoint: Endpoint = parsed.endpoint === 'search' && /"field"\s*:\s*"updated_at"/.test(body.toString('utf8')) ? 'search_updated' : parsed.endpoint;
    this.arrivals.push({ t: arrivedAt, endpoint });
    const api = endpoint !== 'other';

    if (api && this.outage) return this.error(res, 'outage', 503, 'service_unavailable', 'Service Unavailable');
    if (api && Date.now() < this.burstUntil) {
      // No X-RateLimit-* and no Retry-After: the client must back off on its own.
      this.count('rate_limit_429');
      return this.sendRaw(res, 429, { 'content-type': 'application/json' }, JSON.stringify({ type: 'error.list', errors: [{ code: 'rate_limit_exceeded', message: 'Too many requests' }] }));
    }
    const r = api && this.randomFaults ? this.rng.float() : 1;
    const stall = r < this.o.rates.timeout;
    if (stall && this.rng.chance(0.5)) {
      this.count('timeout_no_headers');
      return this.hold(res);
    }
    if (!stall && r < this.o.rates.timeout + this.o.rates.serverError) {
      const e = this.rng.pick([
        { status: 500, body: JSON.stringify({ type: 'error.list', errors: [{ code: 'server_error', message: 'Server Error' }] }), type: 'application/json' },
        { status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>', type: 'text/html' },
        { status: 503, body: JSON.stringify({ type: 'error.list', errors: [{ code: 'service_unavailable', message: 'Service Unavailable' }] }), type: 'application/json' },
      ]);
      this.count('server_error');
      return this.sendRaw(res, e.status, { 'content-type': e.type }, e.body);
    }

    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !HOP_BY_HOP.has(k) && k !== 'host') headers[k] = v;
    const up = await request(this.o.upstream + url.pathname + url.search, {
      method: method as 'GET' | 'POST',
      headers,
      body: body.length ? body : undefined,
      dispatcher: this.agent,
    });
    const text = await up.body.text();
    const outHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(up.headers)) if (typeof v === 'string' && !HOP_BY_HOP.has(k)) outHeaders[k] = v;
    if (res.destroyed) return; // the client left (a killed worker) while the simulator answered

    if (stall) {
      // Headers and half the body, then nothing: an idle body.
      this.count('timeout_mid_body');
      res.writeHead(up.statusCode, { ...outHeaders, 'content-length': String(Buffer.byteLength(text)) });
      res.write(text.slice(0, Math.floor(text.length / 2)));
      return this.hold(res);
    }
    if (up.statusCode !== 200) return this.sendRaw(res, up.statusCode, outHeaders, text);

    const poison = id === undefined ? undefined : this.poison.get(id);
    if (endpoint === 'detail' && id !== undefined && poison) {
      this.count(`poison_${poison}`);
      return this.sendRaw(res, 200, outHeaders, this.poisoned(id, poison, text));
    }
    const malformRate = endpoint === 'search' || endpoint === 'search_updated' ? this.o.rates.malformedSearch : endpoint === 'detail' ? this.o.rates.malformedDetail : this.o.rates.malformedOther;
    if (api && this.randomFaults && this.rng.chance(malformRate)) return this.malformed(res, endpoint, outHeaders, text);

    if (endpoint === 'detail' && id !== undefined) {
      const updatedAt = (JSON.parse(text) as { updated_at?: number }).updated_at ?? -1;
      const versions = this.deliveries.get(id) ?? new Map<number, number>();
      versions.set(updatedAt, (versions.get(updatedAt) ?? 0) + 1);
      this.deliveries.set(id, versions);
    }
    this.sendRaw(res, 200, outHeaders, text);
  }

  private poisoned(id: string, kind: PoisonKind, text: string): string {
    const c = JSON.parse(text) as { source?: { subject?: string; body?: string }; created_at?: number; conversation_parts?: unknown };
    const source = c.source ?? (c.source = {});
    const subject = source.subject ?? '';
    switch (kind) {
      case 'nul_subject':
        source.subject = `\u0000${subject}`;
        break;
      case 'oversized_subject':
        source.subject = `${subject} ${'x'.repeat(OVERSIZED_SUBJECT_CHARS)}`;
        break;
      case 'oversized_body':
        // Padding in a field we never store: only the size of the body is wrong.
        source.body = `${source.body ?? ''}${' '.repeat(OVERSIZED_BODY_BYTES)}`;
        break;
      case 'bad_timestamp':
        c.created_at = BAD_TIMESTAMP_SEC;
        break;
      case 'malformed_detail':
        delete c.created_at;
        c.conversation_parts = null;
        break;
    }
    this.servedSubjectChars.set(id, (source.subject ?? '').length);
    return JSON.stringify(c);
  }

  private malformed(res: ServerResponse, endpoint: Endpoint, headers: Record<string, string>, text: string): void {
    const variant = this.rng.pick(['cut_json', 'html', 'wrong_shape', 'cut_stream'] as const);
    this.count(`malformed_${endpoint === 'search' || endpoint === 'search_updated' ? 'search' : endpoint === 'detail' ? 'detail' : 'other'}`);
    this.count(`malformed_variant_${variant}`);
    const half = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    switch (variant) {
      case 'cut_json':
        return this.sendRaw(res, 200, headers, half);
      case 'html':
        return this.sendRaw(res, 200, { ...headers, 'content-type': 'text/html' }, "<html><body><h1>We're sorry, but something went wrong.</h1></body></html>");
      case 'wrong_shape':
        return this.sendRaw(res, 200, headers, breakShape(text));
      case 'cut_stream':
        // The declared length is the whole body; half arrives, then the connection drops.
        res.writeHead(200, { ...headers, 'content-length': String(Buffer.byteLength(text)) });
        res.write(half);
        setTimeout(() => res.destroy(), 20).unref();
        return;
    }
  }

  private error(res: ServerResponse, kind: string, status: number, code: string, message: string): void {
    this.count(kind);
    this.sendRaw(res, status, { 'content-type': 'application/json' }, JSON.stringify({ type: 'error.list', errors: [{ code, message }] }));
  }

  private sendRaw(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  }

  /** Keeps the response open until the client gives up (its timeout) or stallMaxMs passes. */
  private hold(res: ServerResponse): void {
    this.stalled.add(res);
    const timer = setTimeout(() => res.destroy(), this.o.stallMaxMs ?? 90_000);
    timer.unref();
    res.once('close', () => {
      clearTimeout(timer);
      this.stalled.delete(res);
    });
  }
}

export async function startFaultProxy(o: FaultProxyOptions): Promise<FaultProxy> {
  const p = new FaultProxy(o);
  await p.listen();
  return p;
}
