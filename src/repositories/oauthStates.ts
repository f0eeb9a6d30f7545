import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/connection';

export type StateVerdict = 'ok' | 'unknown' | 'expired' | 'reused';

/** Expired states are kept this long so a late replay is reported as such, then purged. */
const KEEP_EXPIRED_MS = 24 * 60 * 60_000;

/** A random url-safe state (32 bytes) valid for `ttlMs`; expiry is computed on the database clock, like the check. */
export async function createOAuthState(db: Db, ttlMs: number): Promise<string> {
  const state = randomBytes(32).toString('base64url');
  await db
    .insertInto('oauth_states')
    .values({ state, expires_at: sql<Date>`now() + ${Math.trunc(ttlMs)} * interval '1 millisecond'`, used_at: null })
    .execute();
  await db.deleteFrom('oauth_states').where('expires_at', '<', sql<Date>`now() - ${KEEP_EXPIRED_MS} * interval '1 millisecond'`).execute();
  return state;
}

/**
 * Single use, atomically: the claim is one conditional UPDATE, so of two concurrent callbacks
 * with one state exactly one gets 'ok'. A failed claim is then classified for the error page.
 */
export async function consumeOAuthState(db: Db, state: string): Promise<StateVerdict> {
  const claimed = await db
    .updateTable('oauth_states')
    .set({ used_at: sql<Date>`now()` })
    .where('state', '=', state)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returning('state')
    .executeTakeFirst();
  if (claimed) return 'ok';
  const row = await db.selectFrom('oauth_states').select(['used_at']).where('state', '=', state).executeTakeFirst();
  if (!row) return 'unknown';
  return row.used_at === null ? 'expired' : 'reused';
}
