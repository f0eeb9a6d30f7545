import { sql } from 'kysely';
import { recordAgentStates } from '../../src/repositories/agents';
import { saveCredentials } from '../../src/repositories/credentials';
import { purgeWorkspace, PurgeRefusedError } from '../../src/repositories/purge';
import { recordSyncError } from '../../src/repositories/syncErrors';
import { upsertTickets } from '../../src/repositories/tickets';
import { setWorkspaceStatus, upsertWorkspace } from '../../src/repositories/workspaces';
import { createTestDb, type TestDb } from '../helpers/db';
import { runProcess } from '../helpers/runProcess';

async function seed(t: TestDb, ws: string): Promise<void> {
  await upsertWorkspace(t.db, { id: ws, name: ws, region: 'us', status: 'Connected', connectedAt: new Date() });
  await saveCredentials(t.db, ws, Buffer.alloc(40, 1), 'k1');
  const now = new Date();
  await upsertTickets(t.db, [
    {
      ticket: { workspace_id: ws, conversation_id: 'c1', created_at: now, updated_at: now, subject: 's', status: 'closed', channel: 'chat', first_responded_at: null, first_response_duration: null, parts_truncated: false, synced_at: now },
      events: [{ workspace_id: ws, conversation_id: 'c1', part_id: 'p1', status: 'closed', occurred_at: now }],
    },
  ]);
  await recordAgentStates(t.db, ws, [{ adminId: '1', state: 'away', reassign: false }], now);
  await recordSyncError(t.db, ws, 'c2', 'GET /conversations/{id}: response too large', 1);
  await sql`insert into workspace_gates (workspace_id, blocked_reason) values (${ws}, null) on conflict do nothing`.execute(t.db);
}

/** Rows per table holding workspace_id = ws, over every such table. */
async function rowsOf(t: TestDb, ws: string): Promise<Record<string, number>> {
  const tables = await sql<{ table_name: string }>`select table_name from information_schema.columns where column_name = 'workspace_id' and table_schema = current_schema() order by 1`.execute(t.db);
  const out: Record<string, number> = {};
  for (const { table_name } of tables.rows) {
    const r = await sql<{ n: string }>`select count(*) as n from ${sql.table(table_name)} where workspace_id = ${ws}`.execute(t.db);
    out[table_name] = Number(r.rows[0]!.n);
  }
  const w = await t.db.selectFrom('workspaces').select('id').where('id', '=', ws).execute();
  out['workspaces'] = w.length;
  return out;
}

describe('purge <workspace>', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    await seed(t, 'gone');
    await seed(t, 'kept');
  });
  afterAll(async () => t?.destroy());

  it('refuses a workspace that is still connected, or still has a token, and deletes nothing', async () => {
    const before = await rowsOf(t, 'gone');
    expect(before).toMatchObject({ tickets: 1, ticket_status_events: 1, agent_states: 1, sync_errors: 1, workspace_gates: 1, intercom_credentials: 1, workspaces: 1 });
    await expect(purgeWorkspace(t.db, 'gone')).rejects.toThrow(new PurgeRefusedError('workspace gone is "Connected", not Disconnected: disconnect it first (npm run cli -- disconnect gone); nothing was deleted'));
    await setWorkspaceStatus(t.db, 'gone', 'Disconnected');
    await expect(purgeWorkspace(t.db, 'gone')).rejects.toThrow(/still has a stored token/);
    await expect(purgeWorkspace(t.db, 'nobody')).rejects.toThrow(/no workspace with id nobody/);
    expect(await rowsOf(t, 'gone')).toEqual(before);
  });

  it('deletes every row of a disconnected workspace from every table with workspace_id (as a CLI process), and nothing of another', async () => {
    const kept = await rowsOf(t, 'kept');
    await t.db.deleteFrom('intercom_credentials').where('workspace_id', '=', 'gone').execute(); // what disconnect does
    const refusedFirst = await runProcess('src/cli/index.ts', ['purge', 'kept'], { DATABASE_URL: t.url });
    expect(refusedFirst.code).toBe(1);
    expect(refusedFirst.err).toContain('workspace kept is "Connected", not Disconnected');

    // No key needed: purge never touches a token.
    const r = await runProcess('src/cli/index.ts', ['purge', 'gone'], { DATABASE_URL: t.url });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/purge: gone: \d+ row\(s\) deleted \(.*tickets 1.*workspaces 1\)/);
    const after = await rowsOf(t, 'gone');
    expect(Object.entries(after).filter(([, n]) => n > 0)).toEqual([]);
    expect(Object.keys(after)).toEqual(expect.arrayContaining(['tickets', 'ticket_status_events', 'agent_states', 'sync_errors', 'workspace_gates', 'intercom_credentials', 'workspaces']));
    expect(await rowsOf(t, 'kept')).toEqual(kept);
  });
});
