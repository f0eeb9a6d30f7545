import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface TokenCipher {
  /** Identifies the key (a hash prefix, never the key), stored beside each ciphertext for rotation. */
  readonly keyId: string;
  encrypt(token: string): Buffer;
  decrypt(blob: Buffer): string;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

export class TokenDecryptionError extends Error {
  override name = 'TokenDecryptionError';
}

/** AES-256-GCM; a blob is iv (12) | auth tag (16) | ciphertext. */
export function createTokenCipher(keyBase64: string, keyId?: string): TokenCipher {
  const key = Buffer.from(keyBase64, 'base64');
  if (key.length !== 32) throw new Error('TOKEN_ENCRYPTION_KEY must be 32 bytes, base64-encoded');
  const id = keyId ?? createHash('sha256').update(key).digest('hex').slice(0, 12);
  return {
    keyId: id,
    encrypt(token) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decrypt(blob) {
      if (blob.length < IV_BYTES + TAG_BYTES) throw new TokenDecryptionError('stored token is too short to be a ciphertext');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(0, IV_BYTES));
        decipher.setAuthTag(blob.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([decipher.update(blob.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        // Never include the blob or a partial plaintext in the message.
        throw new TokenDecryptionError(`stored token cannot be decrypted with key ${id} (wrong TOKEN_ENCRYPTION_KEY or tampered data)`);
      }
    },
  };
}

/** Development only: a key kept in DATA_DIR so `npm start` works without configuration and across restarts. */
export async function loadOrCreateDevKey(dataDir: string): Promise<string> {
  const path = join(dataDir, 'token-encryption.key');
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64');
  await writeFile(path, `${key}\n`, { mode: 0o600, flag: 'wx' }).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  return (await readFile(path, 'utf8')).trim();
}
