import type { Config } from '../config';
import { createDb, ensureDatabase, migrateToLatest, type Db } from '../db/connection';
import type { TokenCipher } from '../crypto/tokenCipher';
import { MissingKeyError, refusingCipher, resolveTokenCipher } from '../crypto/keys';
import { createIntercomHttp, type IntercomHttp } from '../intercom/client';
import { ClientProvider } from '../intercom/clientProvider';
import { PostgresRateLimiter } from '../ratelimit';
import { GatedRateLimiter, PostgresGate } from '../ratelimit/gate';
import type { RateLimiter } from '../ratelimit/limiter';
import type { ActivityDeps } from '../../activities';
import { createMetrics, type Logger, type Metrics } from '../observability';

/** The long-lived objects a process shares: one pool, one HTTP agent, one limiter. */
export interface Services {
  db: Db;
  cipher: TokenCipher;
  http: IntercomHttp;
  limiter: RateLimiter;
  gate: PostgresGate;
  clients: ClientProvider;
  /** Present when the process serves metrics (worker, server). */
  metrics?: Metrics;
  close(): Promise<void>;
}

export interface ServicesOptions {
  /** `npm start` running its embedded simulator: the only process that may make up a development key. */
  embeddedSimulator?: boolean;
  /** CLI commands that never touch a token run without a key (the cipher then refuses every use). */
  keyOptional?: boolean;
  /** The process's logger (pool errors go through it). */
  logger?: Logger;
  /** Creates the process's metrics registry (Intercom requests, rows, per-workspace gauges). */
  metrics?: boolean;
}

export async function createServices(config: Config, opts: ServicesOptions = {}): Promise<Services> {
  // Before anything else: a process without its key stops here, naming TOKEN_ENCRYPTION_KEY.
  const cipher = await resolveTokenCipher(config, { embeddedSimulator: opts.embeddedSimulator ?? false }).catch((err: unknown) => {
    if (opts.keyOptional && err instanceof MissingKeyError) return refusingCipher();
    throw err;
  });
  await ensureDatabase(config.DATABASE_URL);
  const db = createDb({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE, connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS, statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS, idleInTransactionTimeoutMs: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS, ...(opts.logger ? { onConnectionError: (err: Error & { code?: string }) => opts.logger?.warn({ code: err.code }, `postgres: a connection failed: ${err.message}; the pool replaces it`) } : {}) });
  await migrateToLatest(db);
  const http = createIntercomHttp({ detailMemoryBytes: config.DETAIL_MEMORY_MB * 1024 * 1024 });
  const gate = new PostgresGate(db);
  const limiter = new GatedRateLimiter(gate, new PostgresRateLimiter(db));
  const metrics = opts.metrics ? createMetrics({ db }) : undefined;
  const clients = new ClientProvider({ db, cipher, limiter, http, baseUrlOverride: config.INTERCOM_API_BASE_URL, metrics });
  return {
    db,
    cipher,
    http,
    limiter,
    gate,
    clients,
    metrics,
    async close() {
      await http.close();
      await db.destroy();
    },
  };
}

export function activityDeps(s: Services, tuning: Partial<Pick<ActivityDeps, 'detailConcurrency' | 'flushRows' | 'draining'>> = {}): ActivityDeps {
  return { db: s.db, clients: s.clients, gate: s.gate, detailConcurrency: tuning.detailConcurrency ?? 24, flushRows: tuning.flushRows ?? 50, metrics: s.metrics, draining: tuning.draining };
}
