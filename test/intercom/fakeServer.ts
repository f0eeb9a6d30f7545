import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createIntercomHttp, IntercomClient, type IntercomClientOptions, type IntercomHttp, type IntercomHttpOptions } from '../../src/intercom/client';
import { InMemoryRateLimiter } from '../../src/ratelimit/memory';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: RecordedRequest, res: ServerResponse, n: number) => void;

/** A tiny HTTP server whose behaviour each test sets; records every request. */
export interface FakeServer {
  baseUrl: string;
  requests: RecordedRequest[];
  handle(h: Handler): void;
  close(): Promise<void>;
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | number> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function errorList(code: string, message: string): unknown {
  return { type: 'error.list', request_id: 'req-123', errors: [{ code, message }] };
}

export async function startFakeServer(): Promise<FakeServer> {
  let handler: Handler = (_req, res) => json(res, 500, errorList('server_error', 'no handler'));
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(rec);
      handler(rec, res, requests.length);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    handle(h) {
      handler = h;
      requests.length = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The fake server and an HTTP pool for one describe block, and clients of it. */
export interface FakeIntercom {
  server: FakeServer;
  http: IntercomHttp;
  /**
   * A client of the fake server: workspace ws1, token `tok`, a limiter that lets everything through, two quick
   * retries; `over` replaces any of these.
   */
  client(over?: Partial<IntercomClientOptions>): IntercomClient;
}

/** Starts the fake server and the pool before the describe block's tests and closes both after them. */
export function useFakeIntercom(httpOptions?: IntercomHttpOptions): FakeIntercom {
  const f = {
    client: (over: Partial<IntercomClientOptions> = {}) =>
      new IntercomClient({
        workspaceId: 'ws1',
        token: 'tok',
        region: 'us',
        baseUrl: f.server.baseUrl,
        http: f.http,
        limiter: new InMemoryRateLimiter({ initialLimit: 1000 }),
        maxRetries: 2,
        backoff: { baseDelayMs: 5, maxDelayMs: 50 },
        ...over,
      }),
  } as FakeIntercom;
  beforeAll(async () => {
    f.server = await startFakeServer();
    f.http = createIntercomHttp(httpOptions);
  });
  afterAll(async () => {
    await f.http?.close();
    await f.server?.close();
  });
  return f;
}

/**
 * Knob: a 200 answer of `bytes` bytes of JSON-ish filler, written as fast as the client takes it (1 MiB chunks,
 * honouring backpressure). `declareLength` sends Content-Length; else the body is chunked. Resolves with the
 * bytes the client accepted before it hung up (or all of them).
 */
export function hugeBody(res: ServerResponse, bytes: number, opts: { declareLength: boolean; status?: number }): Promise<number> {
  res.writeHead(opts.status ?? 200, { 'content-type': 'application/json', ...(opts.declareLength ? { 'content-length': bytes } : {}) });
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  return new Promise((resolve) => {
    let written = 0;
    let closed = false;
    res.on('close', () => {
      closed = true;
      resolve(written);
    });
    const pump = (): void => {
      while (!closed && written < bytes) {
        const n = Math.min(chunk.length, bytes - written);
        written += n;
        if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          res.once('drain', pump);
          return;
        }
      }
      if (!closed) res.end();
    };
    pump();
  });
}
