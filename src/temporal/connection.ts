import { readFileSync } from 'node:fs';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config';
import { diagnoseTls, PROBE_TIMEOUT_MS, speaksTls } from './tlsProbe';

/**
 * Where and how to reach Temporal: one value for every process (worker, server, CLI, `npm start`),
 * built from the TEMPORAL_* settings by `configuredTarget`, or for the embedded dev server by
 * `plainTarget`. Both the client `Connection` and the worker's `NativeConnection` are made from it.
 */
export interface TemporalTarget {
  address: string;
  namespace: string;
  /** Undefined: plaintext gRPC. */
  tls?: TLSConfig;
  /** Sent as `authorization: Bearer <key>` on every call; never printed. */
  apiKey?: string;
  connectTimeoutMs: number;
  /** For messages: which settings were used, never a secret. */
  settings: string[];
}

/** The embedded or a local dev server: no TLS. */
export function plainTarget(address: string, config: Pick<Config, 'TEMPORAL_NAMESPACE' | 'TEMPORAL_CONNECT_TIMEOUT_MS'>): TemporalTarget {
  return { address, namespace: config.TEMPORAL_NAMESPACE, connectTimeoutMs: config.TEMPORAL_CONNECT_TIMEOUT_MS, settings: [] };
}

/** TEMPORAL_ADDRESS with its TLS, mTLS and API-key settings (validated by loadConfig). */
export function configuredTarget(config: Config): TemporalTarget {
  if (!config.TEMPORAL_ADDRESS) throw new Error('TEMPORAL_ADDRESS is not set');
  const target = plainTarget(config.TEMPORAL_ADDRESS, config);
  const tlsOn = config.TEMPORAL_TLS ?? Boolean(config.TEMPORAL_TLS_CA || config.TEMPORAL_TLS_SERVER_NAME || config.TEMPORAL_TLS_CERT || config.TEMPORAL_API_KEY);
  if (!tlsOn) return target;
  const tls: TLSConfig = {};
  const settings = ['TEMPORAL_TLS'];
  if (config.TEMPORAL_TLS_CA) {
    tls.serverRootCACertificate = readPem('TEMPORAL_TLS_CA', config.TEMPORAL_TLS_CA);
    settings.push(`TEMPORAL_TLS_CA=${config.TEMPORAL_TLS_CA}`);
  }
  if (config.TEMPORAL_TLS_SERVER_NAME) {
    tls.serverNameOverride = config.TEMPORAL_TLS_SERVER_NAME;
    settings.push(`TEMPORAL_TLS_SERVER_NAME=${config.TEMPORAL_TLS_SERVER_NAME}`);
  }
  if (config.TEMPORAL_TLS_CERT && config.TEMPORAL_TLS_KEY) {
    tls.clientCertPair = { crt: readPem('TEMPORAL_TLS_CERT', config.TEMPORAL_TLS_CERT), key: readPem('TEMPORAL_TLS_KEY', config.TEMPORAL_TLS_KEY) };
    settings.push(`TEMPORAL_TLS_CERT=${config.TEMPORAL_TLS_CERT}`, `TEMPORAL_TLS_KEY=${config.TEMPORAL_TLS_KEY}`);
  }
  if (config.TEMPORAL_API_KEY) settings.push('TEMPORAL_API_KEY (set)');
  return { ...target, tls, apiKey: config.TEMPORAL_API_KEY, settings };
}

function readPem(name: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`${name}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** A connection that failed, with the reason in words and the settings that were used. */
export class TemporalConnectError extends Error {
  override name = 'TemporalConnectError';
}

/** A client for workflows (start, signal, query, update) and operator calls. */
export async function connectClient(target: TemporalTarget): Promise<Client> {
  const connection = await connectOrExplain(target, () =>
    Connection.connect({
      address: target.address,
      tls: target.tls ?? false,
      apiKey: target.apiKey,
      connectTimeout: target.connectTimeoutMs,
    }),
  );
  return new Client({ connection, namespace: target.namespace });
}

/** The worker's (Rust core) connection, with the same settings. */
export function connectWorkerConnection(target: TemporalTarget): Promise<NativeConnection> {
  return connectOrExplain(target, () =>
    withDeadline(
      NativeConnection.connect({ address: target.address, tls: target.tls ?? false, apiKey: target.apiKey }),
      target.connectTimeoutMs,
      (conn) => void conn.close().catch(() => undefined),
    ),
  );
}

async function connectOrExplain<T>(target: TemporalTarget, connect: () => Promise<T>): Promise<T> {
  try {
    return await connect();
  } catch (err) {
    throw await explain(target, err);
  }
}

/**
 * The SDK's own messages for a failed connection range from a precise rustls error to "Failed to
 * connect before the deadline"; a TLS handshake of our own with the same settings names the
 * problem (untrusted certificate, wrong name, certificate required…) in every case. A failure is
 * reported within TEMPORAL_CONNECT_TIMEOUT_MS plus at most PROBE_TIMEOUT_MS of diagnosis.
 */
async function explain(target: TemporalTarget, err: unknown): Promise<TemporalConnectError> {
  const how = target.tls ? `with TLS (${target.settings.join(', ')})` : 'without TLS';
  const sdkMessage = redact(String((err as Error)?.message ?? err), target.apiKey);
  let problem: string | null = null;
  const probeMs = Math.min(target.connectTimeoutMs, PROBE_TIMEOUT_MS);
  if (target.tls) problem = await diagnoseTls(target, probeMs).catch(() => null);
  else if (await speaksTls(target.address, probeMs).catch(() => false)) {
    problem = `the server at ${target.address} speaks TLS: set TEMPORAL_TLS=true (and TEMPORAL_TLS_CA when its certificate is not publicly trusted)`;
  }
  const reason = problem ? `${problem} (the SDK said: ${sdkMessage})` : sdkMessage;
  return new TemporalConnectError(`cannot connect to Temporal at ${target.address} ${how}: ${reason}`);
}

/** An error from the SDK could echo a header; the key never reaches a log through us. */
function redact(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('<TEMPORAL_API_KEY>') : text;
}

function withDeadline<T>(promise: Promise<T>, ms: number, discard: (late: T) => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new Error(`no answer within ${ms} ms (TEMPORAL_CONNECT_TIMEOUT_MS)`));
    }, ms);
  });
  promise.then((v) => timedOut && discard(v), () => undefined);
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
