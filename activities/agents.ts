import { Context, sleep } from '@temporalio/activity';
import { isAuthError } from '../src/intercom/errors';
import { directoryFingerprint, toAgentState } from '../src/mapping/agent';
import { recordAgentStates } from '../src/repositories/agents';
import { catalogRefreshedAt } from '../src/repositories/catalog';
import { renewAgentPollLease, takeAgentPollLease } from '../src/repositories/agentPollLeases';
import { recordAgentPoll } from '../src/repositories/workspaces';
import { applyAdminDirectory, CATALOG_REFRESH_MS, refreshCatalogIfDue, refreshTags, refreshTeams } from './catalog';
import type { ActivityDeps } from './deps';
import { withWorkspaceClient } from './credentials';
import { toActivityFailure } from './failures';
import type { CatalogResult, PollAgentStatesInput, PollAgentStatesResult } from './types';

/** The activity's sleep (cancellation throws), cut short when the worker starts draining. */
async function sleepUnlessDraining(ms: number, draining: AbortSignal | undefined): Promise<void> {
  if (!draining) return sleep(ms);
  if (draining.aborted) return;
  let onAbort: () => void = () => undefined;
  const drained = new Promise<void>((resolve) => {
    onAbort = resolve;
    draining.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([sleep(ms), drained]);
  } finally {
    draining.removeEventListener('abort', onAbort);
  }
}

export function createAgentActivities(deps: ActivityDeps) {
  const refreshMs = deps.catalogRefreshMs ?? CATALOG_REFRESH_MS;
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
     *
     * The same answer keeps the directory current at no extra request: when the admin list
     * differs from the last one applied in this run (or on the run's first poll), new admins
     * are inserted, changed ones updated, unlisted ones marked removed, and team membership
     * moved, in the same tick. Teams and tags are re-read when their last refresh is
     * CATALOG_REFRESH_MS old (six hours; checked every tick: one request per kind per six hours).
     */
    async pollAgentStates(input: PollAgentStatesInput): Promise<PollAgentStatesResult> {
      const ctx = Context.current();
      const started = Date.now();
      const result: PollAgentStatesResult = { polls: 0, changes: 0, lastPollAt: null, directoryChanges: 0 };
      const rare = input.heartbeatEveryMs !== undefined;
      const owner = `${ctx.info.workflowExecution?.runId ?? ''}/${ctx.info.activityId}/${ctx.info.attempt}`;
      const ttlMs = Math.max(30_000, 2 * input.intervalMs);
      let lastHeartbeat = started;
      let nextAt = started;
      // The directory last applied by this run; null = apply the next answer whatever it is.
      let applied: string | null = null;
      let catalogDueAt = started;
      // Rare heartbeats: a closed gate or a lost lease, read from Postgres every tick beside the
      // work, stops this run (aborting a request waiting at the gate), as a cancellation would.
      const stop = new AbortController();
      const onCancel = () => stop.abort(ctx.cancellationSignal.reason);
      ctx.cancellationSignal.addEventListener('abort', onCancel);
      let watchdog: ReturnType<typeof setInterval> | null = null;
      try {
        if (rare) {
          await takeAgentPollLease(deps.db, input.workspaceId, owner, ttlMs);
          const check = async () => {
            try {
              const tick = await renewAgentPollLease(deps.db, input.workspaceId, owner, ttlMs);
              if (tick.held && tick.blockedReason === null) return;
              result.endedBy = tick.held ? `gate closed (${tick.blockedReason})` : 'lease taken over by a newer run';
              stop.abort(new Error(result.endedBy));
            } catch (err) {
              // The database away: the next check tries again (the lease outlives a few).
              ctx.log.warn('agent poll lease renewal failed', { workspaceId: input.workspaceId, error: (err as Error).message });
            }
          };
          watchdog = setInterval(() => void check(), input.intervalMs);
        }
        await withWorkspaceClient(deps, input.workspaceId, async (client) => {
          catalogDueAt = await nextCatalogRefresh(input.workspaceId, started);
          // A draining worker: return what was done, so the workflow starts the next poller at once
          // on a worker that stays (a failure would wait for a retry interval).
          while (Date.now() - started < input.maxDurationMs && !deps.draining?.aborted && !stop.signal.aborted) {
            try {
              const admins = await client.listAdmins();
              const observedAt = new Date();
              const changed = await recordAgentStates(deps.db, input.workspaceId, admins.map(toAgentState), observedAt);
              result.polls += 1;
              result.changes += changed.length;
              result.lastPollAt = observedAt.getTime();
              // Read by `status` (AGENTS) and by the workflow's stale-poller check while this long activity runs.
              await recordAgentPoll(deps.db, input.workspaceId, observedAt);
              const fingerprint = directoryFingerprint(admins);
              if (fingerprint !== applied) {
                // After the states: a directory write that fails (retried next tick) never costs a state.
                const change = await applyAdminDirectory(deps.db, client, input.workspaceId, admins, observedAt);
                applied = fingerprint;
                result.directoryChanges += change.added.length + change.changed.length + change.removed.length;
              }
              deps.metrics?.agentPollSucceeded(input.workspaceId);
            } catch (err) {
              if (deps.draining?.aborted) break;
              if (isAuthError(err) || stop.signal.aborted) throw err;
              // A failed poll is retried at the next tick; the log shows it.
              ctx.log.warn('agent state poll failed', { workspaceId: input.workspaceId, error: (err as Error).message });
            }
            if (Date.now() >= catalogDueAt) {
              try {
                await refreshCatalogIfDue(deps.db, client, input.workspaceId, refreshMs - slackMs(refreshMs));
                catalogDueAt = await nextCatalogRefresh(input.workspaceId, Date.now());
              } catch (err) {
                if (isAuthError(err) || stop.signal.aborted) throw err;
                catalogDueAt = Date.now() + CATALOG_RETRY_MS;
                ctx.log.warn('catalog refresh failed', { workspaceId: input.workspaceId, error: (err as Error).message });
              }
            }
            if (!rare) ctx.heartbeat(result);
            else if (Date.now() - lastHeartbeat >= (input.heartbeatEveryMs ?? 0)) {
              lastHeartbeat = Date.now();
              ctx.heartbeat(result);
            }
            // Fixed-rate ticks: a slow poll does not push every later one back.
            nextAt += input.intervalMs;
            const wait = nextAt - Date.now();
            // Rare heartbeats: the gate or the lease also ends the wait.
            if (wait > 0) await sleepUnlessDraining(wait, rare ? (deps.draining ? AbortSignal.any([stop.signal, deps.draining]) : stop.signal) : deps.draining);
            else nextAt = Date.now();
          }
        }, stop.signal);
      } catch (err) {
        // Stopped by the gate or the lease (not by Temporal): a normal end.
        if (result.endedBy && !ctx.cancellationSignal.aborted) return result;
        throw toActivityFailure(err);
      } finally {
        if (watchdog) clearInterval(watchdog);
        ctx.cancellationSignal.removeEventListener('abort', onCancel);
      }
      return result;
    },

    /** Teams, tags and admins: on connect and on resync (the poller and the conversation sync keep them current in between). */
    async syncCatalog({ workspaceId }: { workspaceId: string }): Promise<CatalogResult> {
      try {
        return await withWorkspaceClient(deps, workspaceId, async (client) => {
          const [admins, teams, tags] = await Promise.all([client.listAdmins(), refreshTeams(deps.db, client, workspaceId), refreshTags(deps.db, client, workspaceId)]);
          const now = new Date();
          await applyAdminDirectory(deps.db, client, workspaceId, admins, now);
          await recordAgentStates(deps.db, workspaceId, admins.map(toAgentState), now);
          return { agents: admins.length, teams: teams.listed, queues: tags.listed };
        });
      } catch (err) {
        throw toActivityFailure(err);
      }
    },
  };

  /** When teams or tags next need reading: one period after the older of their last refreshes. */
  async function nextCatalogRefresh(workspaceId: string, now: number): Promise<number> {
    const [teams, tags] = await Promise.all([catalogRefreshedAt(deps.db, workspaceId, 'teams'), catalogRefreshedAt(deps.db, workspaceId, 'tags')]);
    if (teams === null || tags === null) return now;
    return Math.min(teams.getTime(), tags.getTime()) + refreshMs - slackMs(refreshMs);
  }
}

/**
 * A refresh falls due this much before the period ends, so one started on the next tick is never
 * later than the period (at most a tenth of a period: a test's short period stays a period).
 */
const CATALOG_SLACK_MS = 30_000;
const slackMs = (periodMs: number) => Math.min(CATALOG_SLACK_MS, Math.floor(periodMs / 10));
/** After a failed refresh, the next try. */
const CATALOG_RETRY_MS = 60_000;

