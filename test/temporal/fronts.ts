import { connect as h2connect, constants, createSecureServer, type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { Pem } from './certs';

export interface Front {
  /** host:port to give as TEMPORAL_ADDRESS. */
  address: string;
  /** Handshakes the front refused, with Node's reason (e.g. "peer did not return a certificate"). */
  refusedHandshakes: string[];
  /** Connections that completed the handshake (and, with requestCert, showed a trusted client certificate). */
  accepted: number;
  close(): Promise<void>;
}

function split(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
}

/**
 * A TLS terminator in front of the dev server's plaintext gRPC port, as a load balancer or a
 * secured cluster's frontend would be: ALPN h2, the server certificate given, and with
 * `clientCa` a client certificate signed by it required (mTLS). Bytes are piped unchanged.
 */
export async function startTlsFront(o: { upstream: string; server: Pem; clientCa?: Pem }): Promise<Front> {
  const upstream = split(o.upstream);
  const sockets = new Set<Socket>();
  const front: Front = { address: '', refusedHandshakes: [], accepted: 0, close: async () => undefined };
  const server = createTlsServer(
    {
      key: o.server.key,
      cert: o.server.cert,
      ALPNProtocols: ['h2'],
      ...(o.clientCa ? { ca: o.clientCa.cert, requestCert: true, rejectUnauthorized: true } : {}),
    },
    (tlsSocket: TLSSocket) => {
      front.accepted++;
      const plain = netConnect(upstream.port, upstream.host);
      sockets.add(plain);
      tlsSocket.pipe(plain).pipe(tlsSocket);
      const end = () => {
        tlsSocket.destroy();
        plain.destroy();
      };
      tlsSocket.on('error', end).on('close', end);
      plain.on('error', end).on('close', end);
    },
  );
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', (err) => front.refusedHandshakes.push(err.message));
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  front.address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  front.close = () =>
    new Promise((closed) => {
      for (const s of sockets) s.destroy();
      server.close(() => closed());
    });
  return front;
}

export interface RecordingProxy extends Front {
  /** The request headers of every gRPC call that reached the proxy, in order. */
  calls: Array<{ path: string; authorization: string | undefined }>;
}

const HOP = new Set([':scheme', ':authority', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

function forwardable(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP.has(k) && !(k.startsWith(':') && k !== ':method' && k !== ':path' && k !== ':status')));
}

/**
 * A gRPC-level proxy (HTTP/2 over TLS in, HTTP/2 in the clear out) that records each call's
 * request headers, so a test can see what metadata a client really sends: the one place where an
 * API key is observable without a server that checks it. Calls whose path matches `refuse` get
 * PERMISSION_DENIED, as Temporal Cloud answers the operator service.
 */
export async function startRecordingProxy(o: { upstream: string; server: Pem; refuse?: RegExp }): Promise<RecordingProxy> {
  const upstreams = new Map<unknown, ClientHttp2Session>();
  const incoming = new Set<{ destroy(): void }>();
  const proxy: RecordingProxy = { address: '', refusedHandshakes: [], accepted: 0, calls: [], close: async () => undefined };
  const server = createSecureServer({ key: o.server.key, cert: o.server.cert, ALPNProtocols: ['h2'] });
  server.on('session', (session) => {
    proxy.accepted++;
    const up = h2connect(`http://${o.upstream}`);
    upstreams.set(session, up);
    incoming.add(session);
    up.on('error', () => session.destroy());
    session.on('close', () => {
      up.close();
      upstreams.delete(session);
      incoming.delete(session);
    });
  });
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    proxy.calls.push({ path: String(headers[':path']), authorization: headers.authorization });
    // As Temporal Cloud answers operator calls it does not allow: PERMISSION_DENIED, trailers only.
    if (o.refuse?.test(String(headers[':path']))) {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '7', 'grpc-message': 'Request unauthorized.' }, { endStream: true });
      return;
    }
    const up = upstreams.get(stream.session);
    if (!up || up.closed || up.destroyed) return stream.close(constants.NGHTTP2_REFUSED_STREAM);
    const req = up.request(forwardable(headers));
    let trailers: OutgoingHttpHeaders = {};
    req.on('response', (h, flags) => {
      if (stream.destroyed) return;
      // A trailers-only answer (a gRPC error) ends the stream with its headers.
      if (flags & constants.NGHTTP2_FLAG_END_STREAM) stream.respond(forwardable(h), { endStream: true });
      else stream.respond(forwardable(h), { waitForTrailers: true });
    });
    req.on('trailers', (t) => (trailers = forwardable(t)));
    stream.on('wantTrailers', () => stream.sendTrailers(trailers));
    stream.pipe(req);
    req.pipe(stream);
    req.on('error', () => stream.destroy());
    stream.on('error', () => req.destroy());
    stream.on('close', () => req.destroyed || req.close(constants.NGHTTP2_CANCEL));
    // A normal end is passed on by the pipe and the trailers; only a reset is passed on as a reset.
    req.on('close', () => {
      if (req.rstCode && req.rstCode !== constants.NGHTTP2_NO_ERROR && !stream.destroyed) stream.close(req.rstCode);
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  proxy.address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise((closed) => {
      for (const s of incoming) s.destroy();
      for (const s of upstreams.values()) s.destroy();
      server.close(() => closed());
    });
  return proxy;
}
