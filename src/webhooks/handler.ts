import { z } from 'zod';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/connection';
import { adminSchema } from '../intercom/schemas';
import { isAuthError } from '../intercom/errors';
import { WorkspaceGoneError, type ClientProvider } from '../intercom/clientProvider';
import { toAgentState } from '../mapping/agent';
import { recordAgentStates } from '../repositories/agents';
import { getWorkspace } from '../repositories/workspaces';
import { requestWake, withdrawWake } from '../repositories/wakes';
import { workspaceWorkflowId } from '../../workflows/ids';
import { credentialsRevokedSignal, wakeDefaultSignal } from '../../workflows/messages';

/** A notification_event as Intercom POSTs it; only what we read is checked. */
export const notificationSchema = z.object({
  topic: z.string().min(1),
  app_id: z.string().min(1),
  created_at: z.number().int().nonnegative().optional(),
  data: z.object({ item: z.unknown() }).partial().optional(),
});
export type Notification = z.infer<typeof notificationSchema>;

/** What a webhook or notice led to; `status` is the HTTP answer (503: Intercom should retry). */
export interface Outcome {
  status: 200 | 202 | 400 | 503;
  result: string;
}

export interface WebhookDeps {
  db: Db;
  temporal: Client;
  clients: ClientProvider;
  /** The uninstall check's GET /me waits at most this long (a paused workspace's gate is closed). */
  confirmTimeoutMs?: number;
}

/** Conversation topics (conversation.*, conversation_part.*): something to sync changed. */
const isConversationTopic = (topic: string) => topic.startsWith('conversation.') || topic.startsWith('conversation_part.');

export async function handleNotification(deps: WebhookDeps, n: Notification): Promise<Outcome> {
  if (n.topic === 'ping') return { status: 200, result: 'pong' };
  if (isConversationTopic(n.topic)) return wake(deps, n.app_id);
  if (n.topic === 'admin.away_mode_updated') return awayMode(deps, n);
  return { status: 200, result: 'topic not used' };
}

/**
 * Coalesced: only the webhook that flips the workspace's wake flag signals the workflow; the
 * default run clears the flag when it starts. A burst costs one signal and at most one extra run.
 */
async function wake(deps: WebhookDeps, workspaceId: string): Promise<Outcome> {
  if (!(await requestWake(deps.db, workspaceId))) return { status: 200, result: 'wake already pending (or unknown workspace)' };
  try {
    await deps.temporal.workflow.getHandle(workspaceWorkflowId(workspaceId)).signal(wakeDefaultSignal);
    return { status: 202, result: 'default job woken' };
  } catch (err) {
    // Not sent: the next webhook (or the default tick, which clears the flag) tries again.
    await withdrawWake(deps.db, workspaceId);
    if (err instanceof WorkflowNotFoundError) return { status: 200, result: 'workspace not running' };
    return { status: 503, result: 'workflow unreachable; retry' };
  }
}

async function awayMode(deps: WebhookDeps, n: Notification): Promise<Outcome> {
  const admin = adminSchema.safeParse(n.data?.item);
  if (!admin.success) return { status: 400, result: 'admin.away_mode_updated without an admin item' };
  const ws = await getWorkspace(deps.db, n.app_id);
  if (!ws || ws.status === 'Disconnected') return { status: 200, result: 'unknown workspace' };
  // Intercom's created_at is when the change happened: an older notice (a retried delivery) than
  // the stored observation changes nothing (recordAgentStates keeps the newer one).
  const at = new Date(n.created_at !== undefined ? n.created_at * 1000 : Date.now());
  const changed = await recordAgentStates(deps.db, n.app_id, [toAgentState(admin.data)], at);
  return { status: 200, result: changed.length > 0 ? 'agent state recorded' : 'agent state unchanged' };
}

/**
 * Intercom's uninstall notice is an unauthenticated POST: it is believed only if the stored token
 * is refused (401) by Intercom now, through the normal client and rate limiter. A forged notice
 * costs one GET /me and changes nothing.
 */
export async function handleUninstall(deps: WebhookDeps, workspaceId: string): Promise<Outcome> {
  const signal = AbortSignal.timeout(deps.confirmTimeoutMs ?? 10_000);
  let stale;
  try {
    stale = await deps.clients.forWorkspace(workspaceId, signal);
  } catch (err) {
    if (err instanceof WorkspaceGoneError) return { status: 200, result: 'unknown or disconnected workspace' };
    throw err;
  }
  try {
    await stale.me();
    return { status: 200, result: 'not confirmed: the token still works' };
  } catch (err) {
    if (!isAuthError(err)) return { status: 503, result: 'could not confirm now; retry' };
  }
  // A reconnection since the client was built: the refused token is not the current one.
  if (await deps.clients.refreshed(workspaceId, stale)) return { status: 200, result: 'not confirmed: the workspace was re-authorized' };
  try {
    await deps.temporal.workflow.getHandle(workspaceWorkflowId(workspaceId)).signal(credentialsRevokedSignal);
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) return { status: 503, result: 'workflow unreachable; retry' };
  }
  return { status: 200, result: 'uninstall confirmed: needs reauthorization' };
}
