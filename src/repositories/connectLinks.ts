import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema';

export type LinkVerdict = 'ok' | 'unknown' | 'expired' | 'used';

export interface ConnectLink {
  id: string;
  /** Shown once, to the operator; only its hash is stored. */
  token: string;
  expiresAt: Date;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Same shape as an OAuth state: 32 random bytes, base64url. */
export function isWellFormedLinkToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}

export async function createConnectLink(db: Kysely<Database>, o: { ttlMs: number; note?: string }): Promise<ConnectLink> {
  const id = randomBytes(6).toString('hex');
  const token = randomBytes(32).toString('base64url');
  const row = await db
    .insertInto('connect_links')
    .values({ id, token_hash: hashToken(token), note: o.note ?? null, expires_at: sql<Date>`now() + ${Math.trunc(o.ttlMs)} * interval '1 millisecond'`, used_at: null })
    .returning('expires_at')
    .executeTakeFirstOrThrow();
  return { id, token, expiresAt: row.expires_at };
}

/**
 * Single use, atomically (one conditional UPDATE). Takes a transaction so the claim is undone
 * when the flow cannot start after all (too many flows in progress).
 */
export async function consumeConnectLink(db: Kysely<Database>, token: string): Promise<{ verdict: LinkVerdict; id: string | null }> {
  const tokenHash = hashToken(token);
  const claimed = await db
    .updateTable('connect_links')
    .set({ used_at: sql<Date>`now()` })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returning('id')
    .executeTakeFirst();
  if (claimed) return { verdict: 'ok', id: claimed.id };
  const row = await db.selectFrom('connect_links').select(['id', 'used_at']).where('token_hash', '=', tokenHash).executeTakeFirst();
  if (!row) return { verdict: 'unknown', id: null };
  return { verdict: row.used_at === null ? 'expired' : 'used', id: row.id };
}
