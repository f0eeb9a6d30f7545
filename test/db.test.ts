import { sql } from 'kysely';
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
});
