import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { SyncMetrics } from './metrics';

/**
 * Every activity takes `{ workspaceId, … }`: this puts workspaceId on each of its log lines (the SDK
 * already adds workflowId, activityType, attempt…), and counts failed attempts by activity type.
 */
export function observabilityInterceptor(metrics?: Pick<SyncMetrics, 'activityFailed'>): ActivityInterceptorsFactory {
  return (ctx) => {
    let workspaceId: string | undefined;
    return {
      inbound: {
        async execute(input, next) {
          const arg = input.args[0];
          if (arg && typeof arg === 'object' && typeof (arg as { workspaceId?: unknown }).workspaceId === 'string') workspaceId = (arg as { workspaceId: string }).workspaceId;
          try {
            return await next(input);
          } catch (err) {
            if (!ctx.cancellationSignal.aborted) metrics?.activityFailed(ctx.info.activityType);
            throw err;
          }
        },
      },
      outbound: {
        getLogAttributes: (attrs, next) => next(workspaceId ? { ...attrs, workspaceId } : attrs),
      },
    };
  };
}
