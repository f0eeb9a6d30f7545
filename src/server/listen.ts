import type { FastifyInstance } from 'fastify';
import { buildServerApp, type ServerAppOptions } from './app';

export interface HttpServerOptions extends ServerAppOptions {
  host: string;
  port: number;
  /** The public base URL (PUBLIC_URL); when unset, the listening address (known only after listen). */
  publicUrl?: string;
  /** Registers the route groups; `publicUrl()` is safe to call from handlers. */
  routes(app: FastifyInstance, publicUrl: () => string): Promise<void> | void;
}

export interface HttpServer {
  /** The listening address, e.g. http://127.0.0.1:3000. */
  url: string;
  publicUrl: string;
  app: FastifyInstance;
  /** Stops accepting, lets in-flight requests finish, closes idle sockets. */
  close(): Promise<void>;
}

export async function startHttpServer(o: HttpServerOptions): Promise<HttpServer> {
  const app = buildServerApp(o);
  let base = o.publicUrl ?? '';
  await o.routes(app, () => base);
  try {
    await app.listen({ port: o.port, host: o.host });
  } catch (err) {
    await app.close().catch(() => undefined);
    throw new Error(`HTTP server cannot listen on ${o.host}:${o.port}: ${(err as Error).message}`, { cause: err });
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  const url = `http://${o.host && o.host !== '0.0.0.0' && o.host !== '::' ? o.host : '127.0.0.1'}:${port}`;
  if (!base) base = url;
  return { url, publicUrl: base, app, close: () => app.close() };
}
