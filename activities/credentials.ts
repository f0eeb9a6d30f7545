import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { isAuthError } from '../src/intercom/errors';
import { WorkspaceGoneError, type WorkspaceClient } from '../src/intercom/clientProvider';
import type { ActivityDeps } from './deps';
import { FailureTypes } from './types';

/**
 * Runs `work` with a client for the workspace. A 401 that happens because the customer
 * re-authorized while this activity waited (e.g. at the paused gate) is not a failure: the work
 * continues with the new token from where it stopped. Any other 401 is returned to the caller.
 */
export async function withWorkspaceClient<T>(
  deps: ActivityDeps,
  workspaceId: string,
  work: (client: WorkspaceClient) => Promise<T>,
  /** Aborts the requests; the activity's cancellation unless the caller links its own (the poller's Postgres stop). */
  signal: AbortSignal = Context.current().cancellationSignal,
): Promise<T> {
  const ctx = Context.current();
  // A cancellation (pause, disconnect) reaches an activity only through a heartbeat's answer.
  // Activities without a heartbeat timeout (catalog, count) keep no checkpoint in their heartbeat,
  // so an empty one is safe: it lets a cancelled one stop, instead of waiting at a closed gate.
  const ticker = ctx.info.heartbeatTimeoutMs ? null : setInterval(() => ctx.heartbeat(), 2_000);
  try {
    return await withClient(deps, workspaceId, signal, work);
  } finally {
    if (ticker) clearInterval(ticker);
  }
}

async function withClient<T>(deps: ActivityDeps, workspaceId: string, signal: AbortSignal, work: (client: WorkspaceClient) => Promise<T>): Promise<T> {
  let client: WorkspaceClient;
  try {
    client = await deps.clients.forWorkspace(workspaceId, signal);
  } catch (err) {
    if (err instanceof WorkspaceGoneError) throw ApplicationFailure.create({ type: FailureTypes.gone, message: err.message, nonRetryable: true });
    throw err;
  }
  for (;;) {
    try {
      return await work(client);
    } catch (err) {
      if (!isAuthError(err)) throw err;
      const fresh = await deps.clients.refreshed(workspaceId, client, signal);
      if (!fresh) throw err;
      client = fresh;
    }
  }
}
