import { randomBytes } from 'node:crypto';
import { createTokenCipher } from '../src/crypto/tokenCipher';

describe('token cipher (AES-256-GCM)', () => {
  const key = randomBytes(32).toString('base64');
  const token = 'dG9rOjEyMzQ1Njc4OTA=secret-token-value';

  it('round-trips, and the ciphertext does not contain the token', () => {
    const c = createTokenCipher(key);
    const blob = c.encrypt(token);
    expect(blob.toString('utf8')).not.toContain('secret-token-value');
    expect(blob.toString('base64')).not.toContain(Buffer.from(token).toString('base64').slice(0, 16));
    expect(c.decrypt(blob)).toBe(token);
    expect(c.encrypt(token).equals(blob)).toBe(false); // a fresh IV each time
  });

  it('refuses tampered data and a wrong key without revealing anything', () => {
    const c = createTokenCipher(key);
    const blob = c.encrypt(token);
    blob[blob.length - 1]! ^= 1;
    expect(() => c.decrypt(blob)).toThrow(/cannot be decrypted/);
    const other = createTokenCipher(randomBytes(32).toString('base64'));
    try {
      other.decrypt(c.encrypt(token));
      throw new Error('expected a failure');
    } catch (err) {
      expect(String(err)).toMatch(/wrong TOKEN_ENCRYPTION_KEY/);
      expect(String(err)).not.toContain('secret');
    }
  });

  it('names a key mismatch when the stored key id is not this process\'s', () => {
    const c = createTokenCipher(key);
    const other = createTokenCipher(randomBytes(32).toString('base64'));
    expect(() => other.decrypt(c.encrypt(token), c.keyId)).toThrow(`stored token was encrypted with key ${c.keyId}, this process has key ${other.keyId}`);
    expect(c.decrypt(c.encrypt(token), c.keyId)).toBe(token);
  });

  it('rejects a key of the wrong size', () => {
    expect(() => createTokenCipher(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });
});
