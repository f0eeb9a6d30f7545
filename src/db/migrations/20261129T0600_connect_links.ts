import { sql, type Kysely } from 'kysely';

// One-time connect links that an operator hands to a customer's admin: only a SHA-256 of the
// token is stored, so a database read does not yield usable links. OAuth states record who
// started them (a link or a product session), so a connection can be traced to its origin.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('connect_links')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('note', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();
  await db.schema.alterTable('oauth_states').addColumn('initiated_by', 'text').execute();
  // The cap on outstanding states counts these rows on every start.
  await db.schema.createIndex('oauth_states_pending').on('oauth_states').column('expires_at').where(sql.ref('used_at'), 'is', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('oauth_states_pending').ifExists().execute();
  await db.schema.alterTable('oauth_states').dropColumn('initiated_by').execute();
  await db.schema.dropTable('connect_links').ifExists().execute();
}
