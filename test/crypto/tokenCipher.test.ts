import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTokenCipher, DEV_KEY_FILE, loadOrCreateDevKey, TokenDecryptionError } from '../../src/crypto/tokenCipher';

const newKey = () => randomBytes(32).toString('base64');
const token = 'dG9rOjEyMzQ1Njc4OTA6c2VjcmV0LXRva2VuLXZhbHVl';

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

describe('token cipher (AES-256-GCM)', () => {
  const key = newKey();

  it('round-trips, with a fresh IV each time', () => {
    const c = createTokenCipher(key);
    const a = c.encrypt(token);
    const b = c.encrypt(token);
    expect(c.decrypt(a)).toBe(token);
    expect(c.decrypt(b)).toBe(token);
    expect(a.equals(b)).toBe(false);
    expect(a.subarray(0, 12).equals(b.subarray(0, 12))).toBe(false);
    expect(createTokenCipher(key).decrypt(a)).toBe(token); // another process with the same key
  });

  it('lays out iv(12) | tag(16) | ciphertext', () => {
    expect(createTokenCipher(key).encrypt(token)).toHaveLength(12 + 16 + Buffer.byteLength(token));
    expect(createTokenCipher(key).decrypt(createTokenCipher(key).encrypt(''))).toBe('');
    expect(createTokenCipher(key).decrypt(createTokenCipher(key).encrypt('tök€n'))).toBe('tök€n');
  });

  it('never contains the token, in any encoding', () => {
    const blob = createTokenCipher(key).encrypt(token);
    for (const enc of ['utf8', 'latin1', 'hex', 'base64'] as const) {
      expect(blob.toString(enc)).not.toContain(token.slice(0, 12));
      expect(blob.toString(enc)).not.toContain(Buffer.from(token.slice(0, 12)).toString(enc));
    }
  });

  it('detects tampering in every section (iv, tag, ciphertext) and truncation', () => {
    const c = createTokenCipher(key);
    const blob = c.encrypt(token);
    for (const i of [0, 11, 12, 27, 28, blob.length - 1]) {
      const bad = Buffer.from(blob);
      bad[i] = (bad[i] ?? 0) ^ 1;
      const err = caught(() => c.decrypt(bad));
      expect(err).toBeInstanceOf(TokenDecryptionError);
      expect(err.message).toMatch(/cannot be decrypted/);
    }
    expect(caught(() => c.decrypt(blob.subarray(0, blob.length - 1)))).toBeInstanceOf(TokenDecryptionError);
    expect(caught(() => c.decrypt(blob.subarray(0, 20)))).toBeInstanceOf(TokenDecryptionError);
  });

  it('refuses a wrong key without revealing the token or the key', () => {
    const blob = createTokenCipher(key).encrypt(token);
    const other = newKey();
    const err = caught(() => createTokenCipher(other).decrypt(blob));
    expect(err).toBeInstanceOf(TokenDecryptionError);
    expect(err.message).toMatch(/wrong TOKEN_ENCRYPTION_KEY/);
    const shown = `${String(err)} ${err.stack ?? ''} ${JSON.stringify(err)} ${String((err as { cause?: unknown }).cause)}`;
    for (const secret of [token, token.slice(0, 12), key, other]) expect(shown).not.toContain(secret);
  });

  it('names the key by a hash prefix unless told, never by the key', () => {
    const c = createTokenCipher(key);
    expect(c.keyId).toMatch(/^[0-9a-f]{12}$/);
    expect(createTokenCipher(key).keyId).toBe(c.keyId);
    expect(createTokenCipher(newKey()).keyId).not.toBe(c.keyId);
    expect(createTokenCipher(key, 'k2026').keyId).toBe('k2026');
  });

  it('rejects a key of the wrong size', () => {
    expect(() => createTokenCipher(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
    expect(() => createTokenCipher('')).toThrow(/32 bytes/);
  });
});

describe('development key', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'token-key-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('is created once (0600, 32 random bytes) and read back afterwards', async () => {
    const dataDir = join(dir, 'nested', 'data');
    const key = await loadOrCreateDevKey(dataDir);
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    expect((await stat(join(dataDir, DEV_KEY_FILE))).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateDevKey(dataDir)).toBe(key);
    expect((await readFile(join(dataDir, DEV_KEY_FILE), 'utf8')).trim()).toBe(key);
  });

  it('gives concurrent starters the same key', async () => {
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateDevKey(dir)));
    expect(new Set(keys).size).toBe(1);
    // No temporary files are left beside the key.
    expect(await readdir(dir)).toEqual([DEV_KEY_FILE]);
  });

  it('refuses a corrupt key file rather than replacing it (tokens encrypted under it would be lost)', async () => {
    await writeFile(join(dir, DEV_KEY_FILE), 'not a key\n');
    await expect(loadOrCreateDevKey(dir)).rejects.toThrow(/32 bytes/);
  });
});
