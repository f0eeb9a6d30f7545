import type { Kysely } from 'kysely';

// The workflow's time of the status-mirror write that last landed: an older write (an activity
// attempt that timed out and finished after its retry) must not bring back an older status or
// reopen a gate that a newer write closed.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('workspaces').addColumn('mirror_as_of_ms', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('workspaces').dropColumn('mirror_as_of_ms').execute();
}
