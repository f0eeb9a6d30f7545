import { sql, type Kysely } from 'kysely';

// Webhook wakes, coalesced: one row per workspace. A webhook sets wake_pending; only the request
// that flips it false → true signals the workflow; the default run clears it when it starts.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('workspace_wakes')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey().references('workspaces.id').onDelete('cascade'))
    .addColumn('wake_pending', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('wake_requested_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('workspace_wakes').ifExists().execute();
}
