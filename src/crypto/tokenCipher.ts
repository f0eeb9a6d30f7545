import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface TokenCipher {
  /**
   * Names the key (a hash prefix, never the key itself). Stored beside each ciphertext, so a token
   * written under another key is reported as such, not as tampering.
   */
  readonly keyId: string;
  /** iv (12 bytes) | auth tag (16 bytes) | ciphertext. */
  encrypt(token: string): Buffer;
  /** `storedKeyId`: the key id saved with the blob, checked first. */
  decrypt(blob: Buffer, storedKeyId?: string): string;
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const DEV_KEY_FILE = 'token-encryption.key';

export class TokenDecryptionError extends Error {
  override name = 'TokenDecryptionError';
}

function parseKey(keyBase64: string): Buffer {
  const key = Buffer.from(keyBase64.trim(), 'base64');
  if (key.length !== KEY_BYTES) throw new Error(`the token encryption key must be ${KEY_BYTES} bytes, base64-encoded (got ${key.length} bytes)`);
  return key;
}

/** AES-256-GCM: the auth tag makes a wrong key or a flipped bit fail loudly instead of yielding garbage. */
export function createTokenCipher(keyBase64: string, keyId?: string): TokenCipher {
  const key = parseKey(keyBase64);
  const id = keyId ?? createHash('sha256').update(key).digest('hex').slice(0, 12);
  return {
    keyId: id,
    encrypt(token) {
      // A fresh random IV per token: GCM leaks plaintext if an IV is ever reused under one key.
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decrypt(blob, storedKeyId) {
      if (storedKeyId !== undefined && storedKeyId !== id) {
        throw new TokenDecryptionError(`stored token was encrypted with key ${storedKeyId}, this process has key ${id}: every process needs the same TOKEN_ENCRYPTION_KEY`);
      }
      if (blob.length < IV_BYTES + TAG_BYTES) throw new TokenDecryptionError('stored token is too short to be a ciphertext');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(0, IV_BYTES));
        decipher.setAuthTag(blob.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([decipher.update(blob.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        // The cause is dropped on purpose: nothing about the blob or a partial plaintext may reach logs.
        throw new TokenDecryptionError(`stored token cannot be decrypted with key ${id} (wrong TOKEN_ENCRYPTION_KEY or tampered data)`);
      }
    },
  };
}

/**
 * Development only: a key kept in the data directory, so `npm start` works without configuration
 * and tokens survive restarts. Production passes TOKEN_ENCRYPTION_KEY instead.
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
