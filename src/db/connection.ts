import { Kysely, Migrator, PostgresDialect, sql, type MigrationResultSet } from 'kysely';
import pg from 'pg';
import type { Database } from './schema';
import { migrations } from './migrations';

// Postgres returns bigint and numeric as strings by default; our bigints (epoch ms) fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export type Db = Kysely<Database>;

export interface DbOptions {
  url: string;
  poolSize?: number;
  /** Longest wait for a connection, from the pool or a new one; 0 = no limit. */
  connectTimeoutMs?: number;
  /** Postgres `statement_timeout` of every session; 0 = the server's default. */
  statementTimeoutMs?: number;
  /** Postgres `idle_in_transaction_session_timeout` of every session; 0 = the server's default. */
  idleInTransactionTimeoutMs?: number;
  /** Told of each connection that fails (terminated, reset); default: one line on stderr. */
  onConnectionError?: (err: Error & { code?: string }) => void;
}

/** The defaults of DbOptions (and of the DATABASE_* settings in src/config.ts). */
export const DB_DEFAULTS = { poolSize: 10, connectTimeoutMs: 10_000, statementTimeoutMs: 60_000, idleInTransactionTimeoutMs: 60_000 } as const;

const reportConnectionError = (err: Error & { code?: string }): void => {
  console.error(`postgres: a connection failed${err.code ? ` (${err.code})` : ''}: ${err.message}; the pool replaces it`);
};

export function createDb(o: DbOptions): Db {
  const pool = new pg.Pool({
    connectionString: o.url,
    max: o.poolSize ?? DB_DEFAULTS.poolSize,
    connectionTimeoutMillis: o.connectTimeoutMs ?? DB_DEFAULTS.connectTimeoutMs,
    // Sent in the startup message: no extra round trip per connection.
    statement_timeout: o.statementTimeoutMs ?? DB_DEFAULTS.statementTimeoutMs,
    idle_in_transaction_session_timeout: o.idleInTransactionTimeoutMs ?? DB_DEFAULTS.idleInTransactionTimeoutMs,
    // A peer that vanished without a FIN (failover, network cut) is noticed instead of awaited for ever.
    keepAlive: true,
  });
  const report = o.onConnectionError ?? reportConnectionError;
  // A connection can fail while a query holds it (a terminated backend, a restart): pg then rejects
  // the query AND emits 'error' on the client, which would kill the process without a listener. The
  // pool's own 'error' covers idle clients only. The query's rejection is what callers act on; the
  // pool drops the broken client when it is released (it is no longer queryable).
  pool.on('connect', (client) => {
    client.on('error', report);
  });
  // Idle clients' errors also reach the client listener above; this one only keeps the pool's
  // re-emission from being an unhandled 'error' event.
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Creates the database named in `url` when it does not exist yet. Connects to it first: a role that
 * may not open the `postgres` database (common on managed Postgres) starts fine when it exists.
 */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`DATABASE_URL names an unsupported database name: "${name}"`);
  const probe = new pg.Client({ connectionString: url });
  try {
    await probe.connect();
    return;
  } catch (err) {
    if ((err as { code?: string }).code !== '3D000') throw err; // 3D000: invalid_catalog_name, the database is missing
  } finally {
    await probe.end().catch(() => undefined);
  }
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    // Serialize creators: concurrent CREATE DATABASE calls fail while template1 is being copied.
    await client.query('select pg_advisory_lock(726354)');
    try {
      const found = await client.query('select 1 from pg_database where datname = $1', [name]);
      if (found.rowCount === 0) await client.query(`create database "${name}"`);
    } finally {
      await client.query('select pg_advisory_unlock(726354)');
    }
  } finally {
    await client.end();
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}

/**
 * Runs the pending migrations on one connection with the session timeouts lifted: an index built on
 * a large table may take longer than any sync statement should. The settings are reset after.
 */
export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
  const result = await db.connection().execute(async (conn) => {
    await sql`set statement_timeout = 0`.execute(conn);
    await sql`set idle_in_transaction_session_timeout = 0`.execute(conn);
    try {
      return await new Migrator({ db: conn, provider: { getMigrations: async () => migrations } }).migrateToLatest();
    } finally {
      await sql`reset statement_timeout`.execute(conn).catch(() => undefined);
      await sql`reset idle_in_transaction_session_timeout`.execute(conn).catch(() => undefined);
    }
  });
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${String(result.error)}`, { cause: result.error });
  }
  return result;
}
