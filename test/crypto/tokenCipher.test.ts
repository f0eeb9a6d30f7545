import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { configuredKeys, MissingKeyError, resolveTokenCipher } from '../../src/crypto/keys';
import { createKeyRing, createTokenCipher, DEV_KEY_FILE, keyFingerprint, loadOrCreateDevKey, parseKeyRingSpec, TokenDecryptionError, type TokenCipher } from '../../src/crypto/tokenCipher';

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

const WS = 'ws-a';
const own = (c: TokenCipher, workspaceId = WS) => ({ workspaceId, keyId: c.keyId });

/** What the code before AAD wrote: iv | tag | ciphertext, no AAD, key id = the key's fingerprint. */
function legacyEncrypt(keyBase64: string, plain: string): Buffer {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', Buffer.from(keyBase64, 'base64'), iv);
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]);
}

describe('token cipher (AES-256-GCM, bound to workspace and key id)', () => {
  const key = newKey();

  it('round-trips, with a fresh IV each time', () => {
    const c = createTokenCipher(key);
    const a = c.encrypt(token, WS);
    const b = c.encrypt(token, WS);
    expect(c.decrypt(a, own(c))).toBe(token);
    expect(c.decrypt(b, own(c))).toBe(token);
    expect(a.equals(b)).toBe(false);
    expect(a.subarray(1, 13).equals(b.subarray(1, 13))).toBe(false);
    expect(createTokenCipher(key).decrypt(a, own(c))).toBe(token); // another process with the same key
  });

  it('lays out version 0x01 | iv(12) | tag(16) | ciphertext', () => {
    const c = createTokenCipher(key);
    const blob = c.encrypt(token, WS);
    expect(blob).toHaveLength(1 + 12 + 16 + Buffer.byteLength(token));
    expect(blob[0]).toBe(1);
    expect(c.isCurrent(blob, c.keyId)).toBe(true);
    expect(c.decrypt(c.encrypt('', WS), own(c))).toBe('');
    expect(c.decrypt(c.encrypt('tök€n', WS), own(c))).toBe('tök€n');
  });

  it('never contains the token, in any encoding', () => {
    const blob = createTokenCipher(key).encrypt(token, WS);
    for (const enc of ['utf8', 'latin1', 'hex', 'base64'] as const) {
      expect(blob.toString(enc)).not.toContain(token.slice(0, 12));
      expect(blob.toString(enc)).not.toContain(Buffer.from(token.slice(0, 12)).toString(enc));
    }
  });

  it('two swapped rows fail to decrypt, with an error naming the workspace and the likely swap', () => {
    const c = createTokenCipher(key);
    const rowA = { blob: c.encrypt('token-of-A', 'ws-a'), keyId: c.keyId };
    const rowB = { blob: c.encrypt('token-of-B', 'ws-b'), keyId: c.keyId };
    // Row A's ciphertext stored under workspace B, and the other way round.
    for (const [blob, workspaceId] of [[rowA.blob, 'ws-b'], [rowB.blob, 'ws-a']] as const) {
      const err = caught(() => c.decrypt(blob, { workspaceId, keyId: c.keyId }));
      expect(err).toBeInstanceOf(TokenDecryptionError);
      expect(err.name).toBe('TokenDecryptionError');
      expect(err.message).toContain(`workspace ${workspaceId}`);
      expect(err.message).toMatch(/another workspace or key id \(rows swapped/);
      expect(err.message).not.toMatch(/token-of-/);
    }
    expect(c.decrypt(rowA.blob, { workspaceId: 'ws-a', keyId: c.keyId })).toBe('token-of-A');
  });

  it('a ciphertext relabelled with another key id of the ring fails too', () => {
    const ring = createKeyRing([{ id: 'new', keyBase64: key }, { id: 'alias', keyBase64: newKey() }]);
    const blob = ring.encrypt(token, WS);
    expect(caught(() => ring.decrypt(blob, { workspaceId: WS, keyId: 'alias' }))).toBeInstanceOf(TokenDecryptionError);
  });

  it('detects tampering in every section (version, iv, tag, ciphertext) and truncation', () => {
    const c = createTokenCipher(key);
    const blob = c.encrypt(token, WS);
    for (const i of [0, 1, 12, 13, 28, 29, blob.length - 1]) {
      const bad = Buffer.from(blob);
      bad[i] = (bad[i] ?? 0) ^ 1;
      const err = caught(() => c.decrypt(bad, own(c)));
      expect(err).toBeInstanceOf(TokenDecryptionError);
      expect(err.message).toMatch(/cannot be decrypted/);
    }
    expect(caught(() => c.decrypt(blob.subarray(0, blob.length - 1), own(c)))).toBeInstanceOf(TokenDecryptionError);
    expect(caught(() => c.decrypt(blob.subarray(0, 20), own(c)))).toBeInstanceOf(TokenDecryptionError);
  });

  it('a wrong key under the same id is refused without revealing the token or the key', () => {
    const blob = createTokenCipher(key, 'k1').encrypt(token, WS);
    const other = newKey();
    const err = caught(() => createTokenCipher(other, 'k1').decrypt(blob, { workspaceId: WS, keyId: 'k1' }));
    expect(err).toBeInstanceOf(TokenDecryptionError);
    expect(err.message).toMatch(/wrong TOKEN_ENCRYPTION_KEY/);
    const shown = `${String(err)} ${err.stack ?? ''} ${JSON.stringify(err)} ${String((err as { cause?: unknown }).cause)}`;
    for (const secret of [token, token.slice(0, 12), key, other]) expect(shown).not.toContain(secret);
  });

  it('a key id this process lacks is named, with the ids it has', () => {
    const c = createTokenCipher(key, 'k2025');
    const other = createTokenCipher(newKey(), 'k2026');
    const err = caught(() => other.decrypt(c.encrypt(token, WS), { workspaceId: WS, keyId: 'k2025' }));
    expect(err).toBeInstanceOf(TokenDecryptionError);
    expect(err.message).toContain('encrypted with key id "k2025", which this process does not have (it has "k2026")');
    expect(err.message).toContain('TOKEN_ENCRYPTION_KEYS');
  });

  it('a ring encrypts with the newest key and decrypts with any, including rows written before AAD', () => {
    const oldKey = newKey();
    const old = createTokenCipher(oldKey, 'k2025');
    const oldRow = { blob: old.encrypt(token, WS), keyId: old.keyId };
    const legacy = { blob: legacyEncrypt(oldKey, 'legacy-token'), keyId: keyFingerprint(Buffer.from(oldKey, 'base64')) };
    const ring = createKeyRing([{ id: 'k2026', keyBase64: newKey() }, { id: 'k2025', keyBase64: oldKey }]);
    expect(ring.keyId).toBe('k2026');
    expect(ring.keyIds).toEqual(['k2026', 'k2025']);
    expect(ring.decrypt(oldRow.blob, { workspaceId: WS, keyId: oldRow.keyId })).toBe(token);
    // A legacy row's key id is the key's fingerprint: the ring finds the key by it.
    expect(ring.decrypt(legacy.blob, { workspaceId: WS, keyId: legacy.keyId })).toBe('legacy-token');
    expect(ring.isCurrent(legacy.blob, legacy.keyId)).toBe(false);
    expect(ring.isCurrent(oldRow.blob, oldRow.keyId)).toBe(false);
    const fresh = ring.encrypt(token, WS);
    expect(ring.isCurrent(fresh, ring.keyId)).toBe(true);
    expect(caught(() => old.decrypt(fresh, { workspaceId: WS, keyId: ring.keyId }))).toBeInstanceOf(TokenDecryptionError);
    // A single key keeps reading what it wrote before AAD (production rows), under its fingerprint.
    const single = createTokenCipher(oldKey);
    expect(single.keyId).toBe(legacy.keyId);
    expect(single.decrypt(legacy.blob, { workspaceId: 'any', keyId: legacy.keyId })).toBe('legacy-token');
  });

  it('names the key by a hash prefix unless told, never by the key', () => {
    const c = createTokenCipher(key);
    expect(c.keyId).toMatch(/^[0-9a-f]{12}$/);
    expect(createTokenCipher(key).keyId).toBe(c.keyId);
    expect(createTokenCipher(newKey()).keyId).not.toBe(c.keyId);
    expect(createTokenCipher(key, 'k2026').keyId).toBe('k2026');
  });

  it('rejects a key of the wrong size, a bad id and a repeated id', () => {
    expect(() => createTokenCipher(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
    expect(() => createTokenCipher('')).toThrow(/32 bytes/);
    expect(() => createTokenCipher(key, 'a:b')).toThrow(/letters, digits/);
    expect(() => createKeyRing([{ id: 'k', keyBase64: key }, { id: 'k', keyBase64: newKey() }])).toThrow(/"k" is given twice/);
  });
});

describe('key settings', () => {
  const k1 = newKey();
  const k2 = newKey();

  it('TOKEN_ENCRYPTION_KEYS is id:base64, newest first; a bad entry is named', () => {
    expect(parseKeyRingSpec(`new:${k2}, old:${k1}`)).toEqual([{ id: 'new', keyBase64: k2 }, { id: 'old', keyBase64: k1 }]);
    expect(() => parseKeyRingSpec(`new:${k2},${k1}`)).toThrow(/entry 2 is not id:base64/);
    expect(() => parseKeyRingSpec('new:c2hvcnQ=')).toThrow(/entry 1 \("new"\): the key must be 32 bytes/);
    expect(() => loadConfig({ TOKEN_ENCRYPTION_KEYS: 'x' })).toThrow(/TOKEN_ENCRYPTION_KEYS: entry 1 is not id:base64/);
  });

  it('the single key joins the ring after TOKEN_ENCRYPTION_KEYS (readable, not current) unless it is already in it', () => {
    expect(configuredKeys({ DATA_DIR: '.', TOKEN_ENCRYPTION_KEY: k1 })).toEqual([{ keyBase64: k1 }]);
    expect(configuredKeys({ DATA_DIR: '.', TOKEN_ENCRYPTION_KEY: k1, TOKEN_ENCRYPTION_KEYS: `new:${k2}` })).toEqual([{ id: 'new', keyBase64: k2 }, { keyBase64: k1 }]);
    expect(configuredKeys({ DATA_DIR: '.', TOKEN_ENCRYPTION_KEY: k1, TOKEN_ENCRYPTION_KEYS: `old:${k1}` })).toEqual([{ id: 'old', keyBase64: k1 }]);
  });

  it('without a key, only the embedded simulator gets a development key; anything else is refused, naming TOKEN_ENCRYPTION_KEY', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'token-key-'));
    try {
      await expect(resolveTokenCipher({ DATA_DIR: dir }, { embeddedSimulator: false })).rejects.toThrow(MissingKeyError);
      await expect(resolveTokenCipher({ DATA_DIR: dir }, { embeddedSimulator: false })).rejects.toThrow(/TOKEN_ENCRYPTION_KEY is not set/);
      expect(await readdir(dir)).toEqual([]); // no development key made up
      const lines: string[] = [];
      const dev = await resolveTokenCipher({ DATA_DIR: dir }, { embeddedSimulator: true, announce: (l) => lines.push(l) });
      expect(lines).toEqual([expect.stringContaining('development key')]);
      expect(dev.decrypt(dev.encrypt(token, WS), own(dev))).toBe(token);
      const configured = await resolveTokenCipher({ DATA_DIR: dir, TOKEN_ENCRYPTION_KEYS: `k9:${k1}` }, { embeddedSimulator: false });
      expect(configured.keyId).toBe('k9');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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
