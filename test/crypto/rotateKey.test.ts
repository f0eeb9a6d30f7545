import { createCipheriv, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createKeyRing, createTokenCipher, keyFingerprint, TokenDecryptionError } from '../../src/crypto/tokenCipher';
import { loadCredentials, saveCredentials } from '../../src/repositories/credentials';
import { upsertWorkspace } from '../../src/repositories/workspaces';
import { createTestDb, type TestDb } from '../helpers/db';
import { runProcess } from '../helpers/runProcess';

const newKey = () => randomBytes(32).toString('base64');

/** A row as the code before AAD wrote it: iv | tag | ciphertext under the key's fingerprint. */
function legacyRow(keyBase64: string, token: string): { blob: Buffer; keyId: string } {
  const key = Buffer.from(keyBase64, 'base64');
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([c.update(token, 'utf8'), c.final()]);
  return { blob: Buffer.concat([iv, c.getAuthTag(), body]), keyId: keyFingerprint(key) };
}

describe('npm run cli -- rotate-key (a process, against Postgres)', () => {
  let t: TestDb;
  const oldKey = newKey();
  const newerKey = newKey();
  beforeAll(async () => {
    t = await createTestDb();
    for (const ws of ['ws-1', 'ws-2', 'ws-3']) await upsertWorkspace(t.db, { id: ws, name: ws, region: 'us', status: 'Connected', connectedAt: new Date() });
  });
  afterAll(async () => t?.destroy());

  const rotate = (env: Record<string, string>) => runProcess('src/cli/index.ts', ['rotate-key'], { DATABASE_URL: t.url, ...env });

  it('re-encrypts every token with the newest key, keeps updated_at, is idempotent, and reports a row it cannot read', async () => {
    // Production today: a single TOKEN_ENCRYPTION_KEY and rows written before AAD; plus one row already in v1.
    for (const ws of ['ws-1', 'ws-2']) {
      const row = legacyRow(oldKey, `token-${ws}`);
      await saveCredentials(t.db, ws, row.blob, row.keyId);
    }
    const old = createTokenCipher(oldKey);
    await saveCredentials(t.db, 'ws-3', old.encrypt('token-ws-3', 'ws-3'), old.keyId);
    const before = await t.db.selectFrom('intercom_credentials').select(['workspace_id', 'updated_at']).orderBy('workspace_id').execute();

    const env = { TOKEN_ENCRYPTION_KEYS: `k2026:${newerKey}`, TOKEN_ENCRYPTION_KEY: oldKey };
    const first = await rotate(env);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain('rotate-key: 3 token(s): 3 re-encrypted with key "k2026", 0 already current, 0 rewritten meanwhile by a reconnect, 0 failed');

    // The new key alone reads every token now, each bound to its own workspace.
    const onlyNew = createKeyRing([{ id: 'k2026', keyBase64: newerKey }]);
    for (const ws of ['ws-1', 'ws-2', 'ws-3']) {
      const row = (await loadCredentials(t.db, ws))!;
      expect(row.key_id).toBe('k2026');
      expect(row.token_encrypted[0]).toBe(1);
      expect(onlyNew.decrypt(row.token_encrypted, { workspaceId: ws, keyId: row.key_id })).toBe(`token-${ws}`);
    }
    expect(await t.db.selectFrom('intercom_credentials').select(['workspace_id', 'updated_at']).orderBy('workspace_id').execute()).toEqual(before);

    const second = await rotate({ TOKEN_ENCRYPTION_KEYS: `k2026:${newerKey}` });
    expect(second.code).toBe(0);
    expect(second.out).toContain('rotate-key: 3 token(s): 0 re-encrypted with key "k2026", 3 already current');

    // Two rows swapped by hand: each fails, is named, and is left as it was.
    const [a, b] = [(await loadCredentials(t.db, 'ws-1'))!, (await loadCredentials(t.db, 'ws-2'))!];
    await sql`update intercom_credentials set token_encrypted = ${b.token_encrypted} where workspace_id = 'ws-1'`.execute(t.db);
    await sql`update intercom_credentials set token_encrypted = ${a.token_encrypted} where workspace_id = 'ws-2'`.execute(t.db);
    const swapped = await rotate({ TOKEN_ENCRYPTION_KEYS: `k2026:${newerKey}` });
    expect(swapped.code).toBe(1);
    expect(swapped.out).toContain('2 failed');
    expect(swapped.out).toMatch(/ws-1: the stored token of workspace ws-1 cannot be decrypted with key id "k2026": the row was written for another workspace/);
    expect(() => onlyNew.decrypt(b.token_encrypted, { workspaceId: 'ws-1', keyId: 'k2026' })).toThrow(TokenDecryptionError);
    expect((await loadCredentials(t.db, 'ws-1'))!.token_encrypted.equals(b.token_encrypted)).toBe(true);
  });

  it('refuses to run without a key, naming TOKEN_ENCRYPTION_KEY', async () => {
    const r = await rotate({});
    expect(r.code).toBe(1);
    expect(r.err).toContain('TOKEN_ENCRYPTION_KEY is not set');
  });
});

describe('processes refuse to start without a key outside the embedded simulator', () => {
  it('a worker pointed at an Intercom (here a closed port) exits before connecting to anything, naming TOKEN_ENCRYPTION_KEY', async () => {
    const r = await runProcess('src/worker/main.ts', [], {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/never',
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      INTERCOM_API_BASE_URL: 'http://127.0.0.1:1',
    });
    expect(r.code).toBe(1);
    expect(r.err).toContain('TOKEN_ENCRYPTION_KEY is not set');
    expect(r.err).not.toMatch(/ECONNREFUSED/);
  });

  it('a worker for the real Intercom (no INTERCOM_API_BASE_URL) is refused too', async () => {
    const r = await runProcess('src/worker/main.ts', [], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/never', TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(r.code).toBe(1);
    expect(r.err).toContain('TOKEN_ENCRYPTION_KEY is not set');
  });

  it('the CLI refuses connect without a key', async () => {
    const r = await runProcess('src/cli/index.ts', ['connect'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/never', INTERCOM_ACCESS_TOKEN: 'tok-x' });
    expect(r.code).toBe(1);
    expect(r.err).toContain('TOKEN_ENCRYPTION_KEY is not set');
  });
});
