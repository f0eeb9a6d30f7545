import { createAgentActivities } from './agents';
import { createConversationActivities } from './conversations';
import { createDeletionActivities } from './deletions';
import { createUpgradeActivities } from './upgrade';
import { createReconcileActivities } from './reconcile';
import type { ActivityDeps } from './deps';
import { withClassifiedFailures } from './failures';
import { createWorkspaceActivities } from './workspace';

export type { ActivityDeps } from './deps';

/** Every activity, bound to its dependencies (database, Intercom clients, rate-limit gate); every failure classified once. */
export function createActivities(deps: ActivityDeps) {
  return withClassifiedFailures({
    ...createConversationActivities(deps),
    ...createDeletionActivities(deps),
    ...createUpgradeActivities(deps),
    ...createReconcileActivities(deps),
    ...createAgentActivities(deps),
    ...createWorkspaceActivities(deps),
  });
}
