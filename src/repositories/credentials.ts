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
