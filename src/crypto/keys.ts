import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { createKeyRing, DEV_KEY_FILE, keyFingerprint, loadOrCreateDevKey, parseKeyRingSpec, type KeySpec, type TokenCipher } from './tokenCipher';

export interface KeySettings {
  TOKEN_ENCRYPTION_KEY?: string | undefined;
  TOKEN_ENCRYPTION_KEYS?: string | undefined;
  DATA_DIR: string;
}

export class MissingKeyError extends Error {
  override name = 'MissingKeyError';
}

export const MISSING_KEY_MESSAGE =
  'TOKEN_ENCRYPTION_KEY is not set (nor TOKEN_ENCRYPTION_KEYS): this process stores or reads Intercom tokens and refuses to run without a key. ' +
  'Set TOKEN_ENCRYPTION_KEY to 32 random bytes, base64 (openssl rand -base64 32), the same in every process sharing the database. ' +
  'Only `npm start` with its embedded simulator (INTERCOM_API_BASE_URL unset) makes up a development key.';

/**
 * The configured keys, current first: TOKEN_ENCRYPTION_KEYS (`id:base64,…`, newest first), then TOKEN_ENCRYPTION_KEY
 * (stored under its fingerprint, as it always was) unless the ring already holds that key. With both, the ring's
 * first key is current and the single key stays readable: the way to rotate (see README, "Keys").
 */
export function configuredKeys(s: KeySettings): KeySpec[] {
  const ring = s.TOKEN_ENCRYPTION_KEYS ? parseKeyRingSpec(s.TOKEN_ENCRYPTION_KEYS) : [];
  if (s.TOKEN_ENCRYPTION_KEY) {
    const single = Buffer.from(s.TOKEN_ENCRYPTION_KEY.trim(), 'base64');
    const fp = keyFingerprint(single);
    if (!ring.some((k) => keyFingerprint(Buffer.from(k.keyBase64, 'base64')) === fp)) ring.push({ keyBase64: s.TOKEN_ENCRYPTION_KEY });
  }
  return ring;
}

/**
 * The process's token cipher. Without a configured key, only a process running the embedded simulator
 * (`embeddedSimulator`: `npm start` with INTERCOM_API_BASE_URL unset) gets the development key from DATA_DIR;
 * every other process stops here with a message naming TOKEN_ENCRYPTION_KEY.
 */
export async function resolveTokenCipher(s: KeySettings, opts: { embeddedSimulator: boolean; announce?: (line: string) => void }): Promise<TokenCipher> {
  const specs = configuredKeys(s);
  if (specs.length > 0) return createKeyRing(specs);
  if (!opts.embeddedSimulator) {
    // Tokens stored by an earlier version without a key are under the development key: say where it is.
    const devKey = join(s.DATA_DIR, DEV_KEY_FILE);
    const hint = (await access(devKey).then(() => true, () => false)) ? ` Tokens stored earlier without a key are under the development key in ${devKey}: to keep them, set TOKEN_ENCRYPTION_KEY to its contents.` : '';
    throw new MissingKeyError(MISSING_KEY_MESSAGE + hint);
  }
  const key = await loadOrCreateDevKey(s.DATA_DIR);
  (opts.announce ?? ((l) => console.error(l)))(`TOKEN_ENCRYPTION_KEY is not set: the embedded simulator runs with the development key in ${s.DATA_DIR}`);
  return createKeyRing([{ keyBase64: key }]);
}

/** For processes that may run without a key (CLI commands that never touch a token): every use fails with the refusal. */
export function refusingCipher(): TokenCipher {
  const refuse = (): never => {
    throw new MissingKeyError(MISSING_KEY_MESSAGE);
  };
  return { keyId: '(none)', keyIds: [], encrypt: refuse, decrypt: refuse, isCurrent: refuse };
}
