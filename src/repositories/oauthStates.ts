import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Db } from '../db/connection';
import type { Database } from '../db/schema';

export type StateVerdict = 'ok' | 'unknown' | 'expired' | 'reused';

/** Expired states are kept this long so a late replay is reported as such, then purged. */
const KEEP_EXPIRED_MS = 60 * 60_000;
/** Serializes the count-then-insert of the pending-state cap across every server process. */
const PENDING_LOCK = 726355;

/** The shape createOAuthState produces: 32 random bytes, base64url. Anything else never reaches SQL. */
export function isWellFormedState(state: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(state);
}

export class TooManyPendingStatesError extends Error {
  override name = 'TooManyPendingStatesError';
}

export interface CreateStateOptions {
  /** Outstanding (unused, unexpired) states allowed at once, over all processes. */
  maxPending: number;
  /** Who started the flow: `link:<id>` or `session:<account>`. */
  initiatedBy: string | null;
}

/**
 * A random url-safe state (32 bytes) valid for `ttlMs`; expiry is computed on the database clock,
 * like the check. Refused with TooManyPendingStatesError when `maxPending` states are outstanding.
 * Given a transaction, it runs inside it, so a refusal also undoes what the caller did (a link claim).
 */
export async function createOAuthState(db: Kysely<Database>, ttlMs: number, o: CreateStateOptions = { maxPending: Number.MAX_SAFE_INTEGER, initiatedBy: null }): Promise<string> {
  if (!db.isTransaction) return db.transaction().execute((trx) => createOAuthState(trx, ttlMs, o));
  await sql`select pg_advisory_xact_lock(${PENDING_LOCK})`.execute(db);
  await db.deleteFrom('oauth_states').where('expires_at', '<', sql<Date>`now() - ${KEEP_EXPIRED_MS} * interval '1 millisecond'`).execute();
  const pending = await countPendingStates(db);
  if (pending >= o.maxPending) throw new TooManyPendingStatesError(`${pending} OAuth flows are already in progress (the limit is ${o.maxPending})`);
  const state = randomBytes(32).toString('base64url');
  await db
    .insertInto('oauth_states')
    .values({ state, expires_at: sql<Date>`now() + ${Math.trunc(ttlMs)} * interval '1 millisecond'`, used_at: null, initiated_by: o.initiatedBy })
    .execute();
  return state;
}

export interface ConsumedState {
  verdict: StateVerdict;
  initiatedBy: string | null;
}

/**
 * Single use, atomically: the claim is one conditional UPDATE, so of two concurrent callbacks
 * with one state exactly one gets 'ok'. A failed claim is then classified for the error page.
 * Callers check the state's shape (isWellFormedState) and the browser's cookie first.
 */
export async function claimOAuthState(db: Db, state: string): Promise<ConsumedState> {
  const claimed = await db
    .updateTable('oauth_states')
    .set({ used_at: sql<Date>`now()` })
    .where('state', '=', state)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returning('initiated_by')
    .executeTakeFirst();
  if (claimed) return { verdict: 'ok', initiatedBy: claimed.initiated_by };
  const row = await db.selectFrom('oauth_states').select(['used_at', 'initiated_by']).where('state', '=', state).executeTakeFirst();
  if (!row) return { verdict: 'unknown', initiatedBy: null };
  return { verdict: row.used_at === null ? 'expired' : 'reused', initiatedBy: row.initiated_by };
}

export async function consumeOAuthState(db: Db, state: string): Promise<StateVerdict> {
  return (await claimOAuthState(db, state)).verdict;
}

/** Outstanding states right now (unused and unexpired). */
export async function countPendingStates(db: Kysely<Database>): Promise<number> {
  const { n } = await db
    .selectFrom('oauth_states')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirstOrThrow();
  return Number(n);
}
