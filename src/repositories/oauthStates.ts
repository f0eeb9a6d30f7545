import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/connection';

export type StateVerdict = 'ok' | 'unknown' | 'expired' | 'reused';

export async function createOAuthState(db: Db, ttlMs: number): Promise<string> {
  const state = randomBytes(32).toString('base64url');
  await db.insertInto('oauth_states').values({ state, expires_at: new Date(Date.now() + ttlMs), used_at: null }).execute();
  return state;
}

/** Single use, atomically: of two concurrent callbacks with one state, exactly one gets 'ok'. */
export async function consumeOAuthState(db: Db, state: string): Promise<StateVerdict> {
  const used = await db
    .updateTable('oauth_states')
    .set({ used_at: sql`now()` as never })
    .where('state', '=', state)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returning('state')
    .executeTakeFirst();
  if (used) return 'ok';
  const row = await db.selectFrom('oauth_states').select(['used_at', 'expires_at']).where('state', '=', state).executeTakeFirst();
  if (!row) return 'unknown';
  return row.used_at ? 'reused' : 'expired';
}
