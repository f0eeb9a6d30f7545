import type { NativeConnection} from '@temporalio/worker';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities';
import { activityDeps, type Services } from '../app/services';
import type { Config } from '../config';
import { observabilityInterceptor } from '../observability/activityInterceptor';

export interface SyncWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (`npm run bundle`, see bundle.ts) skips webpack at start-up. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /**
   * Every connected workspace keeps one agent-state poller running, so activity slots are sized
   * for the fleet, not for CPU: pollers spend their time asleep.
   */
  maxConcurrentActivities?: number;
  maxCachedWorkflows?: number;
  /** How long a shutdown waits for activities in flight before it cancels them. */
  shutdownGraceMs?: number;
}

export async function createSyncWorker(o: SyncWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    ...(o.workflowBundle ? { workflowBundle: o.workflowBundle } : { workflowsPath: require.resolve('../../workflows') }),
    activities: createActivities(o.deps),
    interceptors: { activity: [observabilityInterceptor(o.deps.metrics)] },
    maxConcurrentActivityTaskExecutions: o.maxConcurrentActivities ?? 2000,
    maxCachedWorkflows: o.maxCachedWorkflows ?? 2500,
    maxHeartbeatThrottleInterval: '30 seconds',
    defaultHeartbeatThrottleInterval: '10 seconds',
    shutdownGraceTime: o.shutdownGraceMs ?? 20_000,
    // Past the grace time, cancelled activities get this long to confirm before run() gives up.
    shutdownForceTime: (o.shutdownGraceMs ?? 20_000) + 15_000,
  });
}

/** The worker of `npm run worker` and `npm start`, as the configuration describes it. */
export function createConfiguredWorker(connection: NativeConnection, config: Config, services: Services, draining?: AbortSignal): Promise<Worker> {
  return createSyncWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    deps: activityDeps(services, { detailConcurrency: config.DETAIL_CONCURRENCY, draining }),
    shutdownGraceMs: config.WORKER_SHUTDOWN_GRACE_MS,
    workflowBundle: config.WORKFLOW_BUNDLE_PATH ? { codePath: config.WORKFLOW_BUNDLE_PATH } : undefined,
  });
}
