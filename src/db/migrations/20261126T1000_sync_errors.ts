import { sql, type Kysely } from 'kysely';

// Conversations that Intercom keeps answering with a body that breaks the contract: recorded and
// passed over, so one bad record does not hold up a five-year backfill, and a resync retries them.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sync_errors')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('problem', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('sync_errors_pkey', ['workspace_id', 'conversation_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sync_errors').ifExists().execute();
}
