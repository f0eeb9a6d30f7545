import type { Kysely } from 'kysely';

// The operator console reads a workspace's card from Postgres, never from Temporal queries (billable
// on Temporal Cloud): the workflow mirrors its backfill progress and its last default run here.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('workspaces')
    .addColumn('backfill_percent', 'real')
    .addColumn('backfill_stored', 'integer')
    .addColumn('backfill_eta_seconds', 'integer')
    .addColumn('last_default_run_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('workspaces')
    .dropColumn('backfill_percent')
    .dropColumn('backfill_stored')
    .dropColumn('backfill_eta_seconds')
    .dropColumn('last_default_run_at')
    .execute();
}
