import type { Kysely } from 'kysely';

// What a person reads about a workspace, kept current in Postgres: the workflow's last error in
// words and its class (the same as the IntercomSyncError search attribute), and the agent-state
// poller's last successful poll (written by the poller itself, so it moves while the poller runs).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('workspaces')
    .addColumn('last_error', 'text')
    .addColumn('error_class', 'text')
    .addColumn('agents_polled_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('workspaces').dropColumn('last_error').dropColumn('error_class').dropColumn('agents_polled_at').execute();
}
