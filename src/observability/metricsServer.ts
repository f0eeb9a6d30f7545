import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsResponse {
  status: number;
  contentType: string;
  body: string;
}

/**
 * The `/metrics` answer for any HTTP framework: `reply.status(r.status).type(r.contentType).send(r.body)`.
 * A registry that cannot be collected answers 500 with the reason (no stack, no data).
 */
export function metricsHandler(registry: Registry): () => Promise<MetricsResponse> {
  return async () => {
    try {
      return { status: 200, contentType: registry.contentType, body: await registry.metrics() };
    } catch (err) {
      return { status: 500, contentType: 'text/plain; charset=utf-8', body: `metrics unavailable: ${(err as Error).message}\n` };
    }
  };
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** The worker's scrape endpoint: GET /metrics only, nothing else (METRICS_PORT, METRICS_HOST). */
export async function startMetricsServer(registry: Registry, opts: { port: number; host: string }): Promise<MetricsServer> {
  const handle = metricsHandler(registry);
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    void handle().then((r) => res.writeHead(r.status, { 'content-type': r.contentType }).end(req.method === 'HEAD' ? undefined : r.body));
  });
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
