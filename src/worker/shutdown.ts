import type { Worker } from '@temporalio/worker';

export interface Drain {
  /** Aborted on the first SIGTERM/SIGINT; activities read it through their deps. */
  signal: AbortSignal;
  /** Starts the drain by hand (tests, embedding processes). */
  begin(reason: string): void;
}

/**
 * Graceful shutdown of a worker process. The first SIGTERM or SIGINT aborts `signal` (agent
 * pollers return, sync runs stop after the page in progress, heartbeating their cursor) and asks
 * the worker to shut down: it stops polling, waits up to its shutdownGraceTime for the activities
 * in flight, then cancels them (their last heartbeat holds the cursor) and `run()` resolves.
 * A second signal is ignored: the worker's shutdownForceTime bounds the wait.
 */
export function installDrain(worker: () => Worker | undefined, log: (line: string) => void): Drain {
  const controller = new AbortController();
  const begin = (reason: string) => {
    if (controller.signal.aborted) return;
    log(`${reason}: draining (new tasks are no longer taken; activities in flight finish or checkpoint)`);
    controller.abort(new Error(reason));
    const w = worker();
    if (w && w.getState() === 'RUNNING') w.shutdown();
  };
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => begin(sig));
  return { signal: controller.signal, begin };
}
