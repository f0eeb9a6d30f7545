import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Server } from 'node:http';
import Fastify, { type FastifyHttpOptions, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { checkingIntervalMs, type HttpLimits } from './limits';
import { genericFailure, sendText } from './pages';

/** Sent on every response: nothing here may be cached (codes, states, links) or sniffed into markup. */
export const SECURITY_HEADERS: Record<string, string> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  // The callback URL carries the code and state, a start URL the connect link: never in a Referer.
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
};

export interface ServerAppOptions {
  limits: HttpLimits;
  /** Fastify's trustProxy: which hops' X-Forwarded-For to believe (the client's address for the rate limit). */
  trustProxy?: boolean | number | string[];
  /** Fastify's logger option: pino options (JSON lines), or false. */
  logger?: FastifyServerOptions['logger'];
}

/** The query string is dropped from logged URLs: it carries codes, states and connect links. */
const requestSerializer = (req: { method: string; url: string; ip?: string; socket?: { remoteAddress?: string } }) => ({
  method: req.method,
  path: req.url.split('?')[0],
  remoteAddress: req.ip ?? req.socket?.remoteAddress,
});

/**
 * The HTTP process's shell, shared by `npm run server` and `npm start`: limits, security headers,
 * correlation ids, generic error pages. Route groups are plugins registered on it
 * (src/server/health.ts, src/oauth/routes.ts; later webhooks, metrics, an operator console).
 */
export function buildServerApp(o: ServerAppOptions): FastifyInstance {
  const logger = o.logger === undefined || o.logger === false ? false : { ...(o.logger === true ? {} : o.logger), serializers: { req: requestSerializer } };
  const trust = o.trustProxy ?? false;
  const options: FastifyHttpOptions<Server> = {
    logger,
    genReqId: () => randomUUID(),
    // A hop count: believe that many proxies nearest to us.
    trustProxy: typeof trust === 'number' ? (_addr: string, hop: number) => hop < trust : trust,
    bodyLimit: o.limits.bodyLimitBytes,
    requestTimeout: o.limits.requestTimeoutMs,
    connectionTimeout: o.limits.idleTimeoutMs,
    keepAliveTimeout: o.limits.keepAliveTimeoutMs,
    maxRequestsPerSocket: o.limits.maxRequestsPerSocket,
    // In-flight requests finish on close; idle keep-alive sockets are closed at once.
    forceCloseConnections: 'idle',
    // A request whose bytes were on the wire before SIGTERM is in flight for its sender even if Node
    // had not parsed its headers yet: serve it (with `connection: close`) rather than shed it with a
    // 503 that a webhook sender would have to retry. New connections are refused from the start.
    return503OnClosing: false,
    http: {
      headersTimeout: o.limits.headersTimeoutMs,
      requestTimeout: o.limits.requestTimeoutMs,
      connectionsCheckingInterval: checkingIntervalMs(o.limits),
      maxHeaderSize: 16_384,
    },
    // Malformed requests and timeouts that Node itself answers: same headers, no detail, socket closed.
    clientErrorHandler: (err: Error & { code?: string }, socket: Socket) => {
      if (!socket.writable) return socket.destroy();
      const timeout = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
      const status = timeout ? '408 Request Timeout' : '400 Bad Request';
      const body = timeout ? 'request timed out\n' : 'bad request\n';
      const headers = Object.entries(SECURITY_HEADERS).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${body.length}\r\n${headers}\r\n${body}`);
    },
  };
  const app: FastifyInstance = Fastify(options);
  // Node's headers deadline starts with the first byte: a connection that sends nothing at all is
  // closed here after the same time, so idle sockets cannot pile up either.
  app.server.on('connection', (socket: Socket) => {
    const silent = setTimeout(() => socket.destroy(), o.limits.headersTimeoutMs);
    silent.unref();
    socket.once('data', () => clearTimeout(silent));
    socket.once('close', () => clearTimeout(silent));
  });

  app.addHook('onRequest', async (req, reply) => {
    reply.headers({ ...SECURITY_HEADERS, 'x-request-id': req.id });
  });
  // Fastify's own early answers (404, 413, 415) are sent through reply too; set them again in case a hook was skipped.
  app.addHook('onSend', async (req, reply, payload) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!reply.hasHeader(k)) reply.header(k, v);
    if (!reply.hasHeader('x-request-id')) reply.header('x-request-id', req.id);
    return payload;
  });

  app.setNotFoundHandler((_req, reply) => sendText(reply, 404, 'Not found.'));
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ code: err.code, message: err.message }, 'request refused');
    if (status === 413) return sendText(reply, 413, 'The request is too large.');
    if (status === 429) return sendText(reply, 429, err.message);
    if (status < 500) return sendText(reply, status, `The request could not be handled (reference ${req.id}).`);
    return sendText(reply, status, genericFailure(req.id));
  });
  return app;
}
