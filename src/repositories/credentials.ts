import { sql, type Selectable } from 'kysely';
import type { Db } from '../db/connection';
import type { IntercomCredentialsTable } from '../db/schema';

export type StoredCredentials = Selectable<IntercomCredentialsTable>;

/**
 * Only ciphertext is stored. updated_at (clock time, so it moves even within one transaction)
 * tells running activities that a newer token exists after a re-authorization.
 */
export async function saveCredentials(db: Db, workspaceId: string, tokenEncrypted: Buffer, keyId: string): Promise<void> {
  await db
    .insertInto('intercom_credentials')
    .values({ workspace_id: workspaceId, token_encrypted: tokenEncrypted, key_id: keyId, updated_at: sql<Date>`clock_timestamp()` })
    .onConflict((oc) =>
      oc.column('workspace_id').doUpdateSet((eb) => ({ token_encrypted: eb.ref('excluded.token_encrypted'), key_id: eb.ref('excluded.key_id'), updated_at: sql<Date>`clock_timestamp()` })),
    )
    .execute();
}

export async function loadCredentials(db: Db, workspaceId: string): Promise<StoredCredentials | undefined> {
  return db.selectFrom('intercom_credentials').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();
}

/** Returns whether credentials existed. */
export async function deleteCredentials(db: Db, workspaceId: string): Promise<boolean> {
  const result = await db.deleteFrom('intercom_credentials').where('workspace_id', '=', workspaceId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Every stored token (ciphertext and key id), for rotate-key. */
export async function listCredentials(db: Db): Promise<Array<Pick<StoredCredentials, 'workspace_id' | 'token_encrypted' | 'key_id'>>> {
  return db.selectFrom('intercom_credentials').select(['workspace_id', 'token_encrypted', 'key_id']).orderBy('workspace_id').execute();
}

/**
 * Rewrites a token's ciphertext under another key (rotate-key) if the row still holds `previous`: a re-authorization
 * that wrote a newer token meanwhile wins. updated_at is left alone: the token itself did not change, so running
 * activities must not take this for a re-authorization. Returns whether the row was rewritten.
 */
export async function replaceCiphertext(db: Db, workspaceId: string, previous: Buffer, next: Buffer, keyId: string): Promise<boolean> {
  const result = await db
    .updateTable('intercom_credentials')
    .set({ token_encrypted: next, key_id: keyId })
    .where('workspace_id', '=', workspaceId)
    .where('token_encrypted', '=', previous)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
