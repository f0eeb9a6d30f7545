import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { dropDatabase, ensureDatabase } from '../src/db/connection';
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
