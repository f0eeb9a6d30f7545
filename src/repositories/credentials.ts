import { sql, type Selectable } from 'kysely';
import type { Db } from '../db/connection';
import type { IntercomCredentialsTable } from '../db/schema';

export type StoredCredentials = Selectable<IntercomCredentialsTable>;

/** Only ciphertext is stored; updated_at tells running activities that a newer token exists. */
export async function saveCredentials(db: Db, workspaceId: string, tokenEncrypted: Buffer, keyId: string): Promise<void> {
  await db
    .insertInto('intercom_credentials')
    .values({ workspace_id: workspaceId, token_encrypted: tokenEncrypted, key_id: keyId, updated_at: sql`clock_timestamp()` as never })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ token_encrypted: tokenEncrypted, key_id: keyId, updated_at: sql`clock_timestamp()` as never }))
    .execute();
}

export async function loadCredentials(db: Db, workspaceId: string): Promise<StoredCredentials | undefined> {
  return db.selectFrom('intercom_credentials').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();
}

export async function deleteCredentials(db: Db, workspaceId: string): Promise<void> {
  await db.deleteFrom('intercom_credentials').where('workspace_id', '=', workspaceId).execute();
}
