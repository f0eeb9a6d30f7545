import { deleteCredentials } from '../src/repositories/credentials';
import { setWorkspaceStatus } from '../src/repositories/workspaces';
import type { ActivityDeps } from './deps';

const BLOCKING: Record<string, string> = {
  Paused: 'paused',
  'Needs reauthorization': 'needs_reauthorization',
  Disconnected: 'disconnected',
};

export function createWorkspaceActivities(deps: ActivityDeps) {
  return {
    /** Mirrors the workflow's status into Postgres and closes or opens the workspace's request gate. */
    async setWorkspaceStatus({ workspaceId, status }: { workspaceId: string; status: string }): Promise<void> {
      await setWorkspaceStatus(deps.db, workspaceId, status);
      await deps.gate.setBlocked(workspaceId, BLOCKING[status] ?? null);
    },

    /** Disconnect: the token is deleted; synced data stays for the product to keep using. */
    async disconnectWorkspace({ workspaceId }: { workspaceId: string }): Promise<void> {
      await deps.gate.setBlocked(workspaceId, 'disconnected');
      await deleteCredentials(deps.db, workspaceId);
    },
  };
}
