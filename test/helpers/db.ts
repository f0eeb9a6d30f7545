import { randomBytes } from 'node:crypto';
import { createDb, dropDatabase, ensureDatabase, migrateToLatest, type Db } from '../../src/db/connection';

const baseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDb {
  db: Db;
  url: string;
  destroy(): Promise<void>;
}

/** A fresh, migrated database per test file, so files can run in parallel and leave nothing behind. */
export async function createTestDb(poolSize = 10): Promise<TestDb> {
  const url = new URL(baseUrl);
  url.pathname = `/intercom_sync_test_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(url.toString());
  const db = createDb({ url: url.toString(), poolSize });
  await migrateToLatest(db);
  return {
    db,
    url: url.toString(),
    async destroy() {
      await db.destroy();
      await dropDatabase(url.toString());
    },
  };
}
