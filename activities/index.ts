import { createAgentActivities } from './agents';
import { createConversationActivities } from './conversations';
import { createDeletionActivities } from './deletions';
import type { ActivityDeps } from './deps';
import { createWorkspaceActivities } from './workspace';

export type { ActivityDeps } from './deps';

/** Every activity, bound to its dependencies (database, Intercom clients, rate-limit gate). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createConversationActivities(deps),
    ...createDeletionActivities(deps),
    ...createAgentActivities(deps),
    ...createWorkspaceActivities(deps),
  };
}
