import type { TokenCipher } from '../crypto/tokenCipher';
import type { Db } from '../db/connection';
import { listCredentials, replaceCiphertext } from '../repositories/credentials';

export interface RotationReport {
  keyId: string;
  total: number;
  reencrypted: number;
  alreadyCurrent: number;
  /** Rows a re-authorization rewrote while the rotation ran (already under the current key). */
  changedMeanwhile: number;
  failed: Array<{ workspaceId: string; problem: string }>;
}

/**
 * `npm run cli -- rotate-key`: every stored token is decrypted (with whichever key of the ring it names) and, unless
 * it is already in the current format under the current key, re-encrypted with the current key. Idempotent: a second
 * run re-encrypts nothing. A row that cannot be decrypted is reported and left as it is.
 */
export async function rotateKey(db: Db, cipher: TokenCipher): Promise<RotationReport> {
  const report: RotationReport = { keyId: cipher.keyId, total: 0, reencrypted: 0, alreadyCurrent: 0, changedMeanwhile: 0, failed: [] };
  for (const row of await listCredentials(db)) {
    report.total++;
    let token: string;
    try {
      token = cipher.decrypt(row.token_encrypted, { workspaceId: row.workspace_id, keyId: row.key_id });
    } catch (err) {
      report.failed.push({ workspaceId: row.workspace_id, problem: (err as Error).message });
      continue;
    }
    if (cipher.isCurrent(row.token_encrypted, row.key_id)) {
      report.alreadyCurrent++;
      continue;
    }
    const next = cipher.encrypt(token, row.workspace_id);
    if (await replaceCiphertext(db, row.workspace_id, row.token_encrypted, next, cipher.keyId)) report.reencrypted++;
    else report.changedMeanwhile++;
  }
  return report;
}

export function formatRotation(r: RotationReport): string {
  const lines = [
    `rotate-key: ${r.total} token(s): ${r.reencrypted} re-encrypted with key "${r.keyId}", ${r.alreadyCurrent} already current, ${r.changedMeanwhile} rewritten meanwhile by a reconnect, ${r.failed.length} failed`,
  ];
  for (const f of r.failed) lines.push(`  ${f.workspaceId}: ${f.problem}`);
  return lines.join('\n');
}
