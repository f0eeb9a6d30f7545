import { isIP } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import type { TemporalTarget } from './connection';

// The HTTP/2 client preface and an empty SETTINGS frame: under TLS 1.3 a server that wants a client
// certificate says so only after the handshake, when the client first sends.
const H2_PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

/** The diagnosis runs after a failed connect, so it gets a short budget of its own. */
export const PROBE_TIMEOUT_MS = 5000;

function hostAndPort(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(address.slice(at + 1)) };
}

/**
 * One TLS handshake (and one HTTP/2 preface) with the target's settings, to name why a gRPC
 * connection failed. Returns the problem in words, or null when this handshake works.
 */
export function diagnoseTls(target: TemporalTarget, timeoutMs = PROBE_TIMEOUT_MS): Promise<string | null> {
  const { host, port } = hostAndPort(target.address);
  const tls = target.tls ?? {};
  const servername = tls.serverNameOverride ?? (isIP(host) ? undefined : host);
  const checkedName = servername ?? host;
  return new Promise((done) => {
    let settled = false;
    const finish = (problem: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      done(problem);
    };
    const timer = setTimeout(() => finish(`no TLS answer from ${target.address} within ${timeoutMs} ms`), timeoutMs);
    const socket: TLSSocket = connect({
      host,
      port,
      servername,
      ALPNProtocols: ['h2'],
      ca: tls.serverRootCACertificate ? [Buffer.from(tls.serverRootCACertificate)] : undefined,
      cert: tls.clientCertPair ? Buffer.from(tls.clientCertPair.crt) : undefined,
      key: tls.clientCertPair ? Buffer.from(tls.clientCertPair.key) : undefined,
      rejectUnauthorized: true,
    });
    socket.once('secureConnect', () => {
      if (socket.alpnProtocol !== 'h2') return finish(`the server at ${target.address} does not offer HTTP/2 (ALPN h2), so it is not a gRPC endpoint`);
      socket.write(H2_PREFACE);
    });
    socket.once('data', () => finish(null));
    socket.once('error', (err: NodeJS.ErrnoException) => finish(describeTlsError(err, { address: target.address, checkedName, hasCa: Boolean(tls.serverRootCACertificate), hasClientCert: Boolean(tls.clientCertPair) })));
    socket.once('close', () =>
      finish(
        tls.clientCertPair
          ? `the server at ${target.address} closed the connection after the TLS handshake: it may not accept the client certificate (TEMPORAL_TLS_CERT)`
          : `the server at ${target.address} closed the connection after the TLS handshake`,
      ),
    );
  });
}

/** For a plaintext target that failed: does the server speak TLS at that address? */
export function speaksTls(address: string, timeoutMs: number): Promise<boolean> {
  const { host, port } = hostAndPort(address);
  return new Promise((done) => {
    const socket = connect({ host, port, ALPNProtocols: ['h2'], rejectUnauthorized: false, servername: isIP(host) ? undefined : host });
    const finish = (yes: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      done(yes);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once('secureConnect', () => finish(true));
    socket.once('error', () => finish(false));
    socket.once('close', () => finish(false));
  });
}

interface ProbeContext {
  address: string;
  checkedName: string;
  hasCa: boolean;
  hasClientCert: boolean;
}

/** A handshake error in words, with the setting that fixes it. */
export function describeTlsError(err: NodeJS.ErrnoException, c: ProbeContext): string {
  const code = err.code ?? '';
  const text = `${code} ${err.message}`;
  const untrusted = ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED'];
  if (untrusted.includes(code)) {
    const fix = c.hasCa ? 'TEMPORAL_TLS_CA is not the CA that signed it' : 'set TEMPORAL_TLS_CA to the CA that signed it';
    return `the server's certificate is not trusted (${err.message}): ${fix}`;
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return `the server's certificate is not valid now (${err.message})`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `the server's certificate is not issued for "${c.checkedName}" (${err.message}): set TEMPORAL_TLS_SERVER_NAME to a name it holds`;
  }
  if (/certificate.required/i.test(text)) {
    return c.hasClientCert
      ? `the server did not accept the client certificate (${err.message})`
      : 'the server requires a client certificate (mTLS): set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY';
  }
  if (/alert (bad certificate|unknown ca|certificate unknown|unsupported certificate|certificate revoked|certificate expired|access denied)/i.test(text)) {
    return `the server rejected the client certificate (${err.message}): TEMPORAL_TLS_CERT must be signed by a CA the server trusts`;
  }
  if (/wrong version number|packet length too long|unknown protocol/i.test(text)) {
    return `the server at ${c.address} does not speak TLS (${err.message}): unset TEMPORAL_TLS, or use the server's TLS port`;
  }
  if (code === 'ECONNREFUSED') return `nothing accepts connections at ${c.address} (connection refused)`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the host of ${c.address} is not found (${code})`;
  if (code === 'ECONNRESET' || code === 'EPIPE') return `the server at ${c.address} closed the TLS connection (${code}); if it requires a client certificate, set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY`;
  return `TLS handshake failed: ${err.message}`;
}
