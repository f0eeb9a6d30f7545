import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { createDb, dropDatabase, ensureDatabase, migrateToLatest } from '../src/db/connection';
import { createTestDb, type TestDb } from './helpers/db';

describe('database', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.destroy());

  it('migrates every contract table with its primary key', async () => {
    const rows = await sql<{ table_name: string }>`
      select table_name from information_schema.table_constraints
      where constraint_type = 'PRIMARY KEY' and table_schema = 'public'`.execute(t.db);
    const tables = rows.rows.map((r) => r.table_name).sort();
    expect(tables).toEqual(
      expect.arrayContaining(['agent_state_events', 'agent_states', 'agents', 'queues', 'teams', 'ticket_status_events', 'tickets', 'workspaces', 'intercom_credentials']),
    );
  });

  it('sets the session timeouts and survives a terminated checked-out connection', async () => {
    const lost: string[] = [];
    const db = createDb({ url: t.url, poolSize: 2, statementTimeoutMs: 1_234, idleInTransactionTimeoutMs: 2_345, onConnectionError: (e) => lost.push(e.code ?? e.message) });
    try {
      // Migrations lift the timeouts on their connection and put them back.
      await migrateToLatest(db);
      const settings = await sql<{ s: string; i: string }>`select current_setting('statement_timeout') as s, current_setting('idle_in_transaction_session_timeout') as i`.execute(db);
      expect(settings.rows[0]).toEqual({ s: '1234ms', i: '2345ms' });
      // A statement over the timeout is cancelled by the server (57014), not waited for.
      await expect(sql`select pg_sleep(5)`.execute(db)).rejects.toMatchObject({ code: '57014' });
      // The backend of a connection checked out but between statements (as in a transaction) is
      // terminated: its client emits 'error' with no query to reject, which used to kill the process.
      await db.connection().execute(async (conn) => {
        const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn)).rows[0]!.pid;
        await sql`select pg_terminate_backend(${pid}::int)`.execute(t.db);
        for (const deadline = Date.now() + 10_000; lost.length === 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
        await expect(sql`select 1`.execute(conn)).rejects.toThrow();
      });
      expect(lost).toContain('57P01');
      // The pool replaced it.
      expect((await sql<{ one: number }>`select 1 as one`.execute(db)).rows).toEqual([{ one: 1 }]);
    } finally {
      await db.destroy();
    }
  });

  it('ensureDatabase creates a missing database once under concurrency, and only connects to an existing one', async () => {
    const url = new URL(t.url);
    url.pathname = `/ensure_${randomBytes(4).toString('hex')}`;
    try {
      await Promise.all([1, 2, 3].map(() => ensureDatabase(url.toString())));
      const c = new pg.Client({ connectionString: url.toString() });
      await c.connect();
      await c.end();
      // A role that may not open the `postgres` database still starts when its database exists.
      const role = `ensure_role_${randomBytes(3).toString('hex')}`;
      await sql.raw(`create role ${role} login; revoke connect on database postgres from public`).execute(t.db);
      try {
        const asRole = new URL(url.toString());
        asRole.username = role;
        await expect(ensureDatabase(asRole.toString())).resolves.toBeUndefined();
      } finally {
        await sql.raw(`grant connect on database postgres to public; drop role ${role}`).execute(t.db);
      }
    } finally {
      await dropDatabase(url.toString());
    }
  });
});
