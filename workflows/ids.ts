// Workflow ids are derived from the workspace id, so connecting twice finds the same workflow.
export const workspaceWorkflowId = (workspaceId: string): string => `intercom-workspace:${workspaceId}`;
export const backfillChildId = (workspaceId: string): string => `intercom-backfill:${workspaceId}`;
export const resyncChildId = (workspaceId: string, n: number): string => `intercom-resync:${workspaceId}:${n}`;
