import type { Kysely } from 'kysely';

// Rate limiter bookkeeping: `carry` = requests granted just before a window ended, charged to the next window too;
// `last_grant` = tokens granted by the latest claim (read back through RETURNING in the same statement).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('rate_limits')
    .addColumn('carry', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_grant', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('rate_limits').dropColumn('carry').dropColumn('last_grant').execute();
}
