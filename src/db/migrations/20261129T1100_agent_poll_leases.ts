import { sql, type Kysely } from 'kysely';

// Which run of a workspace's agent-state poller may poll it: the newest run takes the lease, an
// older one (a retry's predecessor, a poller restarted as stale) sees it lost at its next tick and
// ends. Its renewal each tick is the poller's liveness record (expires_at), read without Temporal.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('agent_poll_leases')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey().references('workspaces.id').onDelete('cascade'))
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('agent_poll_leases').execute();
}
