import { deleteCredentials } from '../src/repositories/credentials';
import { setBackfillMirror, setWorkspaceStatus, writeStatusMirror } from '../src/repositories/workspaces';
import { retryOnConnectionLoss } from '../src/db/errors';
import type { ActivityDeps } from './deps';
import type { SetWorkspaceStatusInput } from './types';
import { GATE_REASON_OF_STATUS } from '../src/workspaceTypes';

export function createWorkspaceActivities(deps: ActivityDeps) {
  return {
    /**
     * Mirrors the workflow's status (and its current error, when given) into Postgres and closes or
     * opens the workspace's request gate. The gate first: a pause must stop requests even if the
     * mirror write then fails and is retried.
     */
    async setWorkspaceStatus({ workspaceId, status, lastError, errorClass, backfill, asOfMs }: SetWorkspaceStatusInput): Promise<void> {
      // `?? null`: the input comes from a workflow history, where nothing checked the status against today's union.
      const gateReason = GATE_REASON_OF_STATUS[status] ?? null;
      if (asOfMs !== undefined) {
        const error = lastError === undefined ? undefined : { lastError, errorClass: errorClass ?? null };
        await retryOnConnectionLoss(() => writeStatusMirror(deps.db, workspaceId, { status, gateReason, asOfMs, ...(error ? { error } : {}), ...(backfill ? { backfill } : {}) }));
        return;
      }
      await deps.gate.setBlocked(workspaceId, gateReason);
      await setWorkspaceStatus(deps.db, workspaceId, status, lastError === undefined ? undefined : { lastError, errorClass: errorClass ?? null });
      if (backfill) await setBackfillMirror(deps.db, workspaceId, backfill);
    },

    /** Disconnect: the token is deleted; synced data stays for the product to keep using. */
    async disconnectWorkspace({ workspaceId }: { workspaceId: string }): Promise<void> {
      await deps.gate.setBlocked(workspaceId, 'disconnected');
      await deleteCredentials(deps.db, workspaceId);
    },

    /**
     * Retention: a workspace left in Needs reauthorization for long loses its token (the gate stays
     * closed; a reconnect stores a new one). Returns whether a token was deleted.
     */
    async deleteWorkspaceToken({ workspaceId }: { workspaceId: string }): Promise<boolean> {
      await deps.gate.setBlocked(workspaceId, 'needs_reauthorization');
      return deleteCredentials(deps.db, workspaceId);
    },
  };
}
