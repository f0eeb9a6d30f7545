import { sql, type Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('workspaces')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('connected_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('intercom_credentials')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey().references('workspaces.id').onDelete('cascade'))
    .addColumn('token_encrypted', 'bytea', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('oauth_states')
    .addColumn('state', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('tickets')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('first_responded_at', 'timestamptz')
    .addColumn('first_response_duration', 'integer')
    .addColumn('parts_truncated', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('synced_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('tickets_pk', ['workspace_id', 'conversation_id'])
    .execute();
  await db.schema.createIndex('tickets_workspace_created_idx').on('tickets').columns(['workspace_id', 'created_at']).execute();

  await db.schema
    .createTable('ticket_status_events')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('part_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('ticket_status_events_pk', ['workspace_id', 'conversation_id', 'part_id'])
    .execute();

  await db.schema
    .createTable('agents')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('admin_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('email', 'text')
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('team_ids', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('synced_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('agents_pk', ['workspace_id', 'admin_id'])
    .execute();

  await db.schema
    .createTable('agent_states')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('admin_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reassign', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('since', 'timestamptz', (c) => c.notNull())
    .addColumn('observed_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('agent_states_pk', ['workspace_id', 'admin_id'])
    .execute();

  await db.schema
    .createTable('agent_state_events')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('admin_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reassign', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('agent_state_events_pk', ['workspace_id', 'admin_id', 'started_at'])
    .execute();

  await db.schema
    .createTable('teams')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('admin_ids', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('synced_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('teams_pk', ['workspace_id', 'team_id'])
    .execute();

  await db.schema
    .createTable('queues')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('tag_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('synced_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('queues_pk', ['workspace_id', 'tag_id'])
    .execute();

  await db.schema
    .createTable('rate_limits')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey())
    .addColumn('window_limit', 'integer', (c) => c.notNull())
    .addColumn('limit_learned', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('window_ms', 'integer', (c) => c.notNull())
    .addColumn('window_end_ms', 'bigint', (c) => c.notNull())
    .addColumn('used', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['rate_limits', 'queues', 'teams', 'agent_state_events', 'agent_states', 'agents', 'ticket_status_events', 'tickets', 'oauth_states', 'intercom_credentials', 'workspaces']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
