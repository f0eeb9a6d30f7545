import { Context, sleep } from '@temporalio/activity';
import { isAuthError } from '../src/intercom/errors';
import { toAgentRow, toAgentState, toQueueRow, toTeamRow } from '../src/mapping/agent';
import { recordAgentStates, upsertAgents } from '../src/repositories/agents';
import { upsertQueues, upsertTeams } from '../src/repositories/catalog';
import { renewAgentPollLease, takeAgentPollLease } from '../src/repositories/agentPollLeases';
import { recordAgentPoll } from '../src/repositories/workspaces';
import type { ActivityDeps } from './deps';
import { withWorkspaceClient } from './credentials';
import { toActivityFailure } from './failures';
import type { CatalogResult, PollAgentStatesInput, PollAgentStatesResult } from './types';

export function createAgentActivities(deps: ActivityDeps) {
  return {
    /**
     * Polls GET /admins every `intervalMs` for up to `maxDurationMs` and records state changes.
     * One long activity instead of a timer + activity per tick keeps the workflow history at a
     * few events per hour.
     *
     * With `heartbeatEveryMs` (workflows since the 'poller-rare-heartbeats' patch) Temporal is
     * told only that often (a heartbeat is a billable action and carries nothing a retry needs):
     * each tick instead renews this run's lease in Postgres (agent_poll_leases) and reads the
     * workspace's gate, and the run ends by itself when the gate is closed (pause, reauthorization,
     * disconnect: the workflow does not wait for it) or a newer run took the lease over.
     * Without it: a heartbeat every tick, cancellation arriving with the heartbeat's answer.
     */
    async pollAgentStates(input: PollAgentStatesInput): Promise<PollAgentStatesResult> {
      const ctx = Context.current();
      const started = Date.now();
      const result: PollAgentStatesResult = { polls: 0, changes: 0, lastPollAt: null };
      const rare = input.heartbeatEveryMs !== undefined;
      const owner = `${ctx.info.workflowExecution?.runId ?? ''}/${ctx.info.activityId}/${ctx.info.attempt}`;
      const ttlMs = Math.max(30_000, 2 * input.intervalMs);
      let lastHeartbeat = started;
      let nextAt = started;
      try {
        if (rare) await takeAgentPollLease(deps.db, input.workspaceId, owner, ttlMs);
        await withWorkspaceClient(deps, input.workspaceId, async (client) => {
          while (Date.now() - started < input.maxDurationMs) {
            if (rare) {
              const tick = await renewAgentPollLease(deps.db, input.workspaceId, owner, ttlMs);
              if (!tick.held || tick.blockedReason !== null) {
                result.endedBy = tick.held ? `gate closed (${tick.blockedReason})` : 'lease taken over by a newer run';
                return;
              }
            }
            try {
              const admins = await client.listAdmins();
              const observedAt = new Date();
              const changed = await recordAgentStates(deps.db, input.workspaceId, admins.map(toAgentState), observedAt);
              result.polls += 1;
              result.changes += changed.length;
              result.lastPollAt = observedAt.getTime();
              // Read by `status` (AGENTS) and by the workflow's stale-poller check while this long activity runs.
              await recordAgentPoll(deps.db, input.workspaceId, observedAt);
            } catch (err) {
              if (isAuthError(err) || ctx.cancellationSignal.aborted) throw err;
              // A failed poll is retried at the next tick; the log shows it.
              ctx.log.warn('agent state poll failed', { workspaceId: input.workspaceId, error: (err as Error).message });
            }
            if (!rare) ctx.heartbeat(result);
            else if (Date.now() - lastHeartbeat >= (input.heartbeatEveryMs ?? 0)) {
              lastHeartbeat = Date.now();
              ctx.heartbeat(result);
            }
            // Fixed-rate ticks: a slow poll does not push every later one back.
            nextAt += input.intervalMs;
            const wait = nextAt - Date.now();
            if (wait > 0) await sleep(wait);
            else nextAt = Date.now();
          }
        });
      } catch (err) {
        throw toActivityFailure(err);
      }
      return result;
    },

    /** Teams, tags and admins: on connect and on resync. */
    async syncCatalog({ workspaceId }: { workspaceId: string }): Promise<CatalogResult> {
      try {
        const [admins, teams, tags] = await withWorkspaceClient(deps, workspaceId, (client) =>
          Promise.all([client.listAdmins(), client.listTeams(), client.listTags()]),
        );
        const now = new Date();
        await upsertAgents(deps.db, workspaceId, admins.map((a) => toAgentRow(workspaceId, a, now)));
        await recordAgentStates(deps.db, workspaceId, admins.map(toAgentState), now);
        await upsertTeams(deps.db, workspaceId, teams.map((t) => toTeamRow(workspaceId, t, now)));
        await upsertQueues(deps.db, workspaceId, tags.map((t) => toQueueRow(workspaceId, t, now)));
        return { agents: admins.length, teams: teams.length, queues: tags.length };
      } catch (err) {
        throw toActivityFailure(err);
      }
    },
  };
}
