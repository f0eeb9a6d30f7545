import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where a ciphertext belongs: its row's workspace and key id. Both are bound into the ciphertext (AES-GCM AAD). */
export interface TokenOwner {
  workspaceId: string;
  /** The key id stored beside the ciphertext (intercom_credentials.key_id). */
  keyId: string;
}

/**
 * A key ring: encrypts with the current (newest) key, decrypts with any key of the ring.
 *
 * Layout (v1): version byte 0x01 | iv (12) | auth tag (16) | ciphertext, with AAD
 * "intercom-sync token v1" NUL workspace id NUL key id: a row copied onto another workspace, or relabelled with
 * another key id, fails to decrypt. Legacy (v0, before AAD): iv | tag | ciphertext, no AAD; still read, and
 * rewritten as v1 by `npm run cli -- rotate-key`.
 */
export interface TokenCipher {
  /** The id new ciphertexts are written under (stored in intercom_credentials.key_id). */
  readonly keyId: string;
  /** Every key id this ring can decrypt, current first. */
  readonly keyIds: readonly string[];
  encrypt(token: string, workspaceId: string): Buffer;
  decrypt(blob: Buffer, owner: TokenOwner): string;
  /** Whether a stored ciphertext is already v1 under the current key (rotate-key leaves it alone). */
  isCurrent(blob: Buffer, storedKeyId: string): boolean;
}

export interface KeySpec {
  /** Letters, digits, '.', '_', '-'; at most 64. Defaults to the key's fingerprint. */
  id?: string;
  /** 32 bytes, base64. */
  keyBase64: string;
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const V1 = 0x01;
const AAD_LABEL = 'intercom-sync token v1';
const KEY_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;
export const DEV_KEY_FILE = 'token-encryption.key';

/** Any failure to turn a stored ciphertext back into a token. The name is relied on (non-retryable by name). */
export class TokenDecryptionError extends Error {
  override name = 'TokenDecryptionError';
}

function parseKey(keyBase64: string): Buffer {
  const key = Buffer.from(keyBase64.trim(), 'base64');
  if (key.length !== KEY_BYTES) throw new Error(`the token encryption key must be ${KEY_BYTES} bytes, base64-encoded (got ${key.length} bytes)`);
  return key;
}

/** A hash prefix naming a key without revealing it: the id a single TOKEN_ENCRYPTION_KEY has always been stored under. */
export function keyFingerprint(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

interface RingKey {
  id: string;
  fingerprint: string;
  key: Buffer;
}

function aad(owner: TokenOwner): Buffer {
  return Buffer.from(`${AAD_LABEL}\0${owner.workspaceId}\0${owner.keyId}`, 'utf8');
}

function open(key: Buffer, iv: Buffer, tag: Buffer, body: Buffer, additional: Buffer | null): string | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    if (additional) decipher.setAAD(additional);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    // The cause is dropped on purpose: nothing about the blob or a partial plaintext may reach logs.
    return null;
  }
}

/** A ring of the given keys, the first being current. Ids must be unique (a key's fingerprint also finds it). */
export function createKeyRing(specs: readonly KeySpec[]): TokenCipher {
  if (specs.length === 0) throw new Error('a token key ring needs at least one key');
  const ring: RingKey[] = specs.map((s) => {
    const key = parseKey(s.keyBase64);
    const fingerprint = keyFingerprint(key);
    const id = s.id ?? fingerprint;
    if (!KEY_ID_RE.test(id)) throw new Error(`token key id "${id}" must be 1-64 letters, digits, '.', '_' or '-'`);
    return { id, fingerprint, key };
  });
  const ids = new Set<string>();
  for (const k of ring) {
    if (ids.has(k.id)) throw new Error(`token key id "${k.id}" is given twice`);
    ids.add(k.id);
  }
  const current = ring[0] as RingKey;
  const find = (storedKeyId: string) => ring.find((k) => k.id === storedKeyId) ?? ring.find((k) => k.fingerprint === storedKeyId);
  return {
    keyId: current.id,
    keyIds: ring.map((k) => k.id),
    encrypt(token, workspaceId) {
      // A fresh random IV per token: GCM leaks plaintext if an IV is ever reused under one key.
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      cipher.setAAD(aad({ workspaceId, keyId: current.id }));
      const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.of(V1), iv, cipher.getAuthTag(), body]);
    },
    decrypt(blob, owner) {
      const k = find(owner.keyId);
      if (!k) {
        throw new TokenDecryptionError(
          `the token of workspace ${owner.workspaceId} was encrypted with key id "${owner.keyId}", which this process does not have (it has ${ring.map((r) => `"${r.id}"`).join(', ')}): every process needs that key in TOKEN_ENCRYPTION_KEYS or TOKEN_ENCRYPTION_KEY`,
        );
      }
      if (blob.length < IV_BYTES + TAG_BYTES) throw new TokenDecryptionError(`the stored token of workspace ${owner.workspaceId} is too short to be a ciphertext`);
      let token: string | null = null;
      if (blob[0] === V1 && blob.length >= 1 + IV_BYTES + TAG_BYTES) {
        token = open(k.key, blob.subarray(1, 1 + IV_BYTES), blob.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES), blob.subarray(1 + IV_BYTES + TAG_BYTES), aad(owner));
      }
      // Legacy rows (no version byte, no AAD). A v1 blob read this way fails its tag, so this cannot unbind one.
      token ??= open(k.key, blob.subarray(0, IV_BYTES), blob.subarray(IV_BYTES, IV_BYTES + TAG_BYTES), blob.subarray(IV_BYTES + TAG_BYTES), null);
      if (token === null) {
        throw new TokenDecryptionError(
          `the stored token of workspace ${owner.workspaceId} cannot be decrypted with key id "${k.id}": the row was written for another workspace or key id (rows swapped or relabelled?), the key under that id is not the one it was written with (wrong TOKEN_ENCRYPTION_KEY), or the data was altered`,
        );
      }
      return token;
    },
    isCurrent(blob, storedKeyId) {
      return storedKeyId === current.id && blob[0] === V1 && blob.length >= 1 + IV_BYTES + TAG_BYTES;
    },
  };
}

/** A ring of one key (tests, a single TOKEN_ENCRYPTION_KEY). */
export function createTokenCipher(keyBase64: string, keyId?: string): TokenCipher {
  return createKeyRing([{ keyBase64, ...(keyId !== undefined ? { id: keyId } : {}) }]);
}

/** `id:base64,id:base64`, newest (current) first, as in TOKEN_ENCRYPTION_KEYS. Throws naming the bad entry. */
export function parseKeyRingSpec(spec: string): KeySpec[] {
  const entries = spec.split(',').map((e) => e.trim()).filter(Boolean);
  if (entries.length === 0) throw new Error('no keys (expected id:base64,id:base64, newest first)');
  return entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new Error(`entry ${i + 1} is not id:base64`);
    const id = entry.slice(0, colon);
    const keyBase64 = entry.slice(colon + 1);
    if (!KEY_ID_RE.test(id)) throw new Error(`entry ${i + 1}: the id must be 1-64 letters, digits, '.', '_' or '-'`);
    if (Buffer.from(keyBase64, 'base64').length !== KEY_BYTES) throw new Error(`entry ${i + 1} ("${id}"): the key must be ${KEY_BYTES} bytes, base64-encoded`);
    return { id, keyBase64 };
  });
}

/**
 * Development only: a key kept in the data directory, so `npm start` with its embedded simulator works without
 * configuration and tokens survive restarts. Every other process needs TOKEN_ENCRYPTION_KEY(S) (see keys.ts).
 */
export async function loadOrCreateDevKey(dataDir: string): Promise<string> {
  const path = join(dataDir, DEV_KEY_FILE);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // Written whole to a private file, then linked into place: link fails if another process got
  // there first, and nobody ever reads a half-written key. Both then read the same key.
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(tmp, path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  } finally {
    await unlink(tmp);
  }
  const key = (await readFile(path, 'utf8')).trim();
  parseKey(key);
  return key;
}
