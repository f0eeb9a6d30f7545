import { sql, type Kysely } from 'kysely';

// A per-workspace switch that every Intercom request passes: closed while the workspace is
// paused, needs reauthorization or is disconnected.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('workspace_gates')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey())
    .addColumn('blocked_reason', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('workspace_gates').ifExists().execute();
}
