import type { Db } from '../src/db/connection';
import type { ClientProvider } from '../src/intercom/clientProvider';
import type { SyncMetrics } from '../src/observability/metrics';
import type { PostgresGate } from '../src/ratelimit/gate';

export interface ActivityDeps {
  db: Db;
  clients: ClientProvider;
  gate: PostgresGate;
  /** Detail requests in flight per window: enough to fill the rate budget at ~80 ms latency. */
  detailConcurrency: number;
  /** Tickets per upsert batch. */
  flushRows: number;
  /** Rows written, sync errors, loop lags, backfill progress (absent in some tests). */
  metrics?: SyncMetrics;
  /**
   * Aborted when the worker starts a graceful shutdown: pollers return at once (the workflow starts
   * the next one elsewhere), sync runs stop after the page in progress with their cursor heartbeated.
   */
  draining?: AbortSignal;
  /** The periodic teams/tags re-read (CATALOG_REFRESH_MS when absent): tests shorten it rather than wait hours. */
  catalogRefreshMs?: number;
}
