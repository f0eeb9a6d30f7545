import { sql, type Kysely } from 'kysely';

// Who, which queue and which team a ticket belongs to; a catalog (agents, teams, queues) whose
// removed entries are marked, not deleted; tickets deleted in Intercom marked, not deleted.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('tickets')
    .addColumn('assignee_admin_id', 'text')
    .addColumn('team_id', 'text')
    .addColumn('first_responder_admin_id', 'text')
    .addColumn('source_type', 'text')
    .addColumn('source_delivered_as', 'text')
    .addColumn('priority', 'text')
    .addColumn('deleted_at', 'timestamptz')
    // null = unknown (rows written before this migration); else the conversation's tag ids, sorted.
    .addColumn('tag_ids', sql`text[]`)
    // Rows written before this migration keep 1: a refetch can find the tickets that lack the new fields.
    .addColumn('mapping_version', 'smallint', (c) => c.notNull().defaultTo(1))
    .execute();

  // A ticket's queues are its tag ids, written with the ticket in the same row: a concurrent
  // writer holding older details can then never leave a stale queue behind (the ticket upsert
  // decides under the row lock), and a batch stays one statement. ticket_queues is the relation
  // readers use: one row per (ticket, tag), exactly the tags of the last fetch. (No index on
  // tag_ids: readers go by workspace and created_at, and every ticket write would pay for one.)
  await sql`create view ticket_queues as
    select t.workspace_id, t.conversation_id, q.tag_id
    from tickets t cross join lateral unnest(t.tag_ids) as q(tag_id)`.execute(db);

  for (const table of ['agents', 'teams', 'queues']) {
    await db.schema.alterTable(table).addColumn('removed_at', 'timestamptz').execute();
  }
  // When the sync first saw the admin: null for admins stored before this migration (unknown).
  await db.schema.alterTable('agents').addColumn('first_seen_at', 'timestamptz').execute();
  await db.schema.alterTable('agents').alterColumn('first_seen_at', (c) => c.setDefault(sql`now()`)).execute();

  await db.schema
    .createTable('catalog_refreshes')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull()) // teams | tags
    .addColumn('refreshed_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('catalog_refreshes_pk', ['workspace_id', 'kind'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('catalog_refreshes').ifExists().execute();
  await db.schema.alterTable('agents').dropColumn('first_seen_at').execute();
  for (const table of ['agents', 'teams', 'queues']) {
    await db.schema.alterTable(table).dropColumn('removed_at').execute();
  }
  await sql`drop view if exists ticket_queues`.execute(db);
  await db.schema
    .alterTable('tickets')
    .dropColumn('assignee_admin_id')
    .dropColumn('team_id')
    .dropColumn('first_responder_admin_id')
    .dropColumn('source_type')
    .dropColumn('source_delivered_as')
    .dropColumn('priority')
    .dropColumn('deleted_at')
    .dropColumn('tag_ids')
    .dropColumn('mapping_version')
    .execute();
}
