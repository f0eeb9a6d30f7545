import type { Client } from '@temporalio/client';
import { WORKSPACE_ID } from '../temporal/searchAttributes';
import { IntercomClient, regionFromMe, type IntercomHttp, type Region } from '../intercom/client';
import { InMemoryRateLimiter, PostgresRateLimiter, type RateLimitObservation } from '../ratelimit';
import { saveCredentials } from '../repositories/credentials';
import { upsertWorkspace } from '../repositories/workspaces';
import type { Db } from '../db/connection';
import type { TokenCipher } from '../crypto/tokenCipher';
import { reauthorizedSignal } from '../../workflows/messages';
import { workspaceWorkflowId } from '../../workflows/ids';
import type { WorkspaceWorkflowInput, WorkspaceWorkflowOptions } from '../../workflows/workspace';

export interface ConnectDeps {
  db: Db;
  cipher: TokenCipher;
  http: IntercomHttp;
  temporal: Client;
  taskQueue: string;
  apiBaseUrlOverride?: string;
  /** Test and benchmark knobs passed to a newly started workflow. */
  workflowOptions?: WorkspaceWorkflowOptions;
}

/** The probe's limiter: remembers what the /me response said about the budget. */
class ProbeLimiter extends InMemoryRateLimiter {
  last: RateLimitObservation | null = null;

  override async observe(workspaceId: string, obs: RateLimitObservation): Promise<void> {
    this.last = obs;
    await super.observe(workspaceId, obs);
  }
}

export interface ConnectResult {
  workspaceId: string;
  name: string;
  region: Region;
  workflowId: string;
}

/**
 * The one way a workspace gets connected (OAuth callback and CLI alike): read /me, store the
 * token encrypted, then signal-with-start the workspace's workflow. The workflow id derives from
 * the workspace id, so a second connect reaches the running workflow (as `reauthorized`)
 * instead of starting another.
 */
export async function connectWorkspace(deps: ConnectDeps, token: string): Promise<ConnectResult> {
  // /me comes before we know the workspace, so it cannot use the shared limiter's key.
  const probeLimiter = new ProbeLimiter();
  const probe = new IntercomClient({ workspaceId: 'connect', token, region: 'us', baseUrl: deps.apiBaseUrlOverride, http: deps.http, limiter: probeLimiter });
  const me = await probe.me();
  const workspaceId = me.app.id_code;
  // Intercom counted /me against the workspace's budget: tell the shared limiter, or a backfill that
  // saturates this window would send one request too many (a 429).
  if (probeLimiter.last) await new PostgresRateLimiter(deps.db).observe(workspaceId, probeLimiter.last);
  const region = regionFromMe(me.app.region);
  // Together or not at all: a workspace row without its token would look connected and fail every job.
  const workspace = await deps.db.transaction().execute(async (trx) => {
    const row = await upsertWorkspace(trx, { id: workspaceId, name: me.app.name, region, status: 'Connected', connectedAt: new Date() });
    await saveCredentials(trx, workspaceId, deps.cipher.encrypt(token, workspaceId), deps.cipher.keyId);
    return row;
  });

  const workflowId = workspaceWorkflowId(workspaceId);
  const input: WorkspaceWorkflowInput = { workspaceId, connectedAt: workspace.connected_at.getTime(), ...deps.workflowOptions };
  await deps.temporal.workflow.signalWithStart('workspaceWorkflow', {
    workflowId,
    taskQueue: deps.taskQueue,
    args: [input],
    signal: reauthorizedSignal,
    signalArgs: [],
    typedSearchAttributes: [{ key: WORKSPACE_ID, value: workspaceId }],
    staticSummary: `Intercom sync of ${me.app.name} (${workspaceId}, ${region.toUpperCase()})`,
  });
  return { workspaceId, name: me.app.name, region, workflowId };
}
