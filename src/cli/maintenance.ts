import type { Services } from '../app/services';
import { purgeWorkspace } from '../repositories/purge';
import { formatRotation, rotateKey } from './rotateKey';

/** CLI commands that need Postgres (and keys) but no Temporal server. */
export const MAINTENANCE_USAGE = `  rotate-key                             re-encrypt every stored token with the newest key
                                         (TOKEN_ENCRYPTION_KEYS' first); idempotent, prints counts
  purge <workspace-id>                   delete every row of a DISCONNECTED workspace`;

/** Commands that need a token key; every other command runs without one. */
export const KEYED_COMMANDS = new Set(['connect', 'rotate-key']);

/** Runs `command` if it is a maintenance command and returns its exit code; null for any other command. */
export async function runMaintenance(command: string, workspaceId: string | undefined, services: Services): Promise<number | null> {
  switch (command) {
    case 'rotate-key': {
      const report = await rotateKey(services.db, services.cipher);
      console.log(formatRotation(report));
      return report.failed.length > 0 ? 1 : 0;
    }
    case 'purge': {
      if (!workspaceId) throw new Error('purge needs a workspace id');
      const counts = await purgeWorkspace(services.db, workspaceId);
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      const detail = Object.entries(counts)
        .filter(([, n]) => n > 0)
        .map(([table, n]) => `${table} ${n}`)
        .join(', ');
      console.log(`purge: ${workspaceId}: ${total} row(s) deleted${detail ? ` (${detail})` : ''}`);
      return 0;
    }
    default:
      return null;
  }
}
