import type { Kysely } from 'kysely';

// Requests the deletion reconciliation (workspaces whose API lacks GET /conversations/deleted)
// spent per workspace and UTC day: its share of the daily budget (2 %) is enforced from here.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('reconciliation_requests')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('requests', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('reconciliation_requests_pkey', ['workspace_id', 'day'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reconciliation_requests').execute();
}
