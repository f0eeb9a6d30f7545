import type { Config } from '../config';
import { createDb, ensureDatabase, migrateToLatest, type Db } from '../db/connection';
import { createTokenCipher, loadOrCreateDevKey, type TokenCipher } from '../crypto/tokenCipher';
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

export interface ServicesObservability {
  logger?: Logger;
  /** Creates the process's metrics registry (Intercom requests, rows, per-workspace gauges). */
  metrics?: boolean;
}

export async function createServices(config: Config, obs: ServicesObservability = {}): Promise<Services> {
  await ensureDatabase(config.DATABASE_URL);
  const db = createDb({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE, connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS, statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS, idleInTransactionTimeoutMs: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS, ...(obs.logger ? { onConnectionError: (err: Error & { code?: string }) => obs.logger?.warn({ code: err.code }, `postgres: a connection failed: ${err.message}; the pool replaces it`) } : {}) });
  await migrateToLatest(db);
  let key = config.TOKEN_ENCRYPTION_KEY;
  if (!key) {
    key = await loadOrCreateDevKey(config.DATA_DIR);
    const warning = `TOKEN_ENCRYPTION_KEY is not set: using the development key in ${config.DATA_DIR}; processes on other machines need the same key`;
    if (obs.logger) obs.logger.warn(warning);
    else console.error(warning);
  }
  const cipher = createTokenCipher(key);
  const http = createIntercomHttp();
  const gate = new PostgresGate(db);
  const limiter = new GatedRateLimiter(gate, new PostgresRateLimiter(db));
  const metrics = obs.metrics ? createMetrics({ db }) : undefined;
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

export function activityDeps(s: Services, tuning: Partial<Pick<ActivityDeps, 'detailConcurrency' | 'flushRows'>> = {}): ActivityDeps {
  return { db: s.db, clients: s.clients, gate: s.gate, detailConcurrency: tuning.detailConcurrency ?? 24, flushRows: tuning.flushRows ?? 50, metrics: s.metrics };
}
