import { statusOfAll, workspaceStatus } from '../../src/cli/commands';
import { workspaceWorkflowId } from '../../workflows/ids';
import type { WorkspaceStatusView } from '../../workflows/types';
import { expectedInBackfill, storedTickets } from '../helpers/expectRows';
import { startStack, waitFor, type Stack } from '../helpers/stack';

const FAIL = 'failures-ws';
const KEEP = 'retention-ws';
const WIN = 'window-ws';
const BOUND = 'bound-ws';

/**
 * Every failure is classified once and shown: in the status query, in the workspaces mirror and in
 * the IntercomSyncError search attribute; a job's failure never stops the others. A workspace left
 * in Needs reauthorization loses its token after the retention period; a reconnect clears the old 401.
 */
describe('failures are bounded and visible', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      simulator: {
        seed: 41,
        latencyMs: 2,
        workspaces: [
          { id: FAIL, name: 'Failures Co', region: 'us', conversations: 100 },
          { id: KEEP, name: 'Retention Co', region: 'eu', conversations: 100 },
          { id: WIN, name: 'Window Co', region: 'us', conversations: 300 },
          { id: BOUND, name: 'Bound Co', region: 'us', conversations: 100 },
        ],
      },
      workflow: {
        cadence: { defaultMs: 3_000, agentStatesMs: 1_000, agentPollerRunMs: 60_000 },
        retention: { needsReauthTokenMs: 3_000 },
        backfill: { failedWindowRetryMs: 1_000 },
        // The workspace workflow's retries tightened, so a retryable failure reaches its bound within the test.
        retry: { maximumAttempts: 2, initialIntervalMs: 200, maximumIntervalMs: 200 },
      },
    });
  });
  afterAll(async () => stack?.stop());
  // A test that fails midway must not leave its endpoint fault to the next one.
  afterEach(() => {
    stack.sim.setEndpointFault('GET /tags', null);
    stack.sim.setEndpointFault('POST /conversations/search', null);
  });

  const status = async (ws: string) => (await workspaceStatus(stack.env.client, ws)) as WorkspaceStatusView;
  const mirror = (ws: string) => stack.t.db.selectFrom('workspaces').selectAll().where('id', '=', ws).executeTakeFirstOrThrow();
  async function withErrorClass(errorClass: string): Promise<string[]> {
    const ids: string[] = [];
    for await (const w of stack.env.client.workflow.list({ query: `IntercomSyncError = "${errorClass}"` })) ids.push(w.workflowId);
    return ids;
  }

  /** The attempt at which each syncCatalog run of the workspace workflow ended. */
  async function catalogAttempts(ws: string): Promise<number[]> {
    const history = await stack.env.client.workflow.getHandle(workspaceWorkflowId(ws)).fetchHistory();
    const scheduled = new Set<string>();
    const attempts: number[] = [];
    for (const e of history.events ?? []) {
      if (e.activityTaskScheduledEventAttributes?.activityType?.name === 'syncCatalog') scheduled.add(String(e.eventId));
      const started = e.activityTaskStartedEventAttributes;
      if (started && scheduled.has(String(started.scheduledEventId))) attempts.push(started.attempt ?? 0);
    }
    return attempts;
  }

  it('a 400 on GET /tags is not retried; the default loop keeps running; status, mirror and search attribute name it; fixed, it clears', async () => {
    stack.sim.setEndpointFault('GET /tags', 'bad_request');
    await stack.connect(`tok-${FAIL}`);
    const failed = await waitFor('the catalog error', async () => {
      const v = await status(FAIL);
      return v.jobs.catalog.lastError ? v : null;
    }, 60_000, 100);
    // One attempt, no retry: a 400 is final (the catalog tries again at the next default tick).
    // Counted from the history: the poller's periodic catalog refresh also asks for /tags.
    expect((await catalogAttempts(FAIL))[0]).toBe(1);
    expect(failed.errorClass).toBe('intercom_4xx');
    expect(failed.lastError).toMatch(/GET \/tags: HTTP 400/);
    expect(failed.jobs.catalog.errorClass).toBe('intercom_4xx');

    await waitFor('the default loop to run despite the catalog', async () => (await status(FAIL)).jobs.default.lastSuccessAt !== null, 30_000);
    await waitFor('the backfill to finish despite the catalog', async () => (await status(FAIL)).jobs.backfill.done, 120_000);
    await waitFor('the mirror to carry the error', async () => {
      const row = await mirror(FAIL);
      return row.error_class === 'intercom_4xx' && /HTTP 400/.test(row.last_error ?? '');
    }, 30_000);
    await waitFor('the search attribute', async () => (await withErrorClass('intercom_4xx')).includes(workspaceWorkflowId(FAIL)), 30_000);

    stack.sim.setEndpointFault('GET /tags', null);
    await waitFor('the catalog to succeed at a later tick', async () => (await status(FAIL)).jobs.catalog.lastSuccessAt !== null, 30_000);
    const fixed = await status(FAIL);
    expect(fixed.lastError).toBeNull();
    expect(fixed.status).toBe('Synced');
    await waitFor('the mirror to clear', async () => (await mirror(FAIL)).last_error === null, 30_000);
    await waitFor('the search attribute to clear', async () => !(await withErrorClass('intercom_4xx')).includes(workspaceWorkflowId(FAIL)), 30_000);
  });

  it('a token this process cannot decrypt is a decryption error, not retried, and shown', async () => {
    const searches = () => stack.sim.stats().byWorkspace[FAIL]?.requests ?? 0;
    await stack.t.db.updateTable('intercom_credentials').set({ key_id: 'another-key' }).where('workspace_id', '=', FAIL).execute();
    const v = await waitFor('the decryption error', async () => {
      const s = await status(FAIL);
      return s.errorClass === 'decryption' ? s : null;
    }, 30_000, 100);
    expect(v.lastError).toMatch(/TokenDecryptionError/);
    expect(v.status).not.toBe('Needs reauthorization');
    await waitFor('the search attribute', async () => (await withErrorClass('decryption')).includes(workspaceWorkflowId(FAIL)), 30_000);
    expect(searches()).toBeGreaterThan(0);
  });

  it('the status table shows the poller\'s last poll while the poller runs', async () => {
    await stack.connect(`tok-${KEEP}`);
    await waitFor('a recorded poll', async () => (await mirror(KEEP)).agents_polled_at !== null, 30_000);
    // The poller activity (a minute long here) has not returned yet: the workflow knows no poll.
    expect((await status(KEEP)).jobs.agent_states.lastSuccessAt).toBeNull();
    const table = await statusOfAll(stack.t.db, KEEP);
    const row = table.split('\n')[1] ?? '';
    expect(row).toMatch(/\d+s ago\s*$|\d+s ago\s{2}/);
    const cells = row.split(/\s{2,}/);
    expect(cells[7]).toMatch(/^\d+s ago$/);
  });

  it('Needs reauthorization past the retention period deletes the token; a reconnect restores Synced without the old 401', async () => {
    await waitFor('the backfill', async () => (await status(KEEP)).jobs.backfill.done, 60_000);
    stack.sim.revokeToken(KEEP);
    await waitFor('Needs reauthorization', async () => (await status(KEEP)).status === 'Needs reauthorization', 30_000);
    await waitFor('the token deleted', async () => {
      const row = await stack.t.db.selectFrom('intercom_credentials').select('workspace_id').where('workspace_id', '=', KEEP).executeTakeFirst();
      return row === undefined;
    }, 30_000);
    const waiting = await waitFor('the status to say so', async () => {
      const s = await status(KEEP);
      return /token was deleted/.test(s.lastError ?? '') ? s : null;
    }, 10_000);
    expect(waiting.status).toBe('Needs reauthorization');
    expect(waiting.errorClass).toBe('auth');
    expect(await stack.deps.gate.blockedReason(KEEP)).toBe('needs_reauthorization');
    await waitFor('the mirror to say so', async () => /token was deleted/.test((await mirror(KEEP)).last_error ?? ''), 30_000);

    await stack.connect(stack.sim.issueToken(KEEP));
    const back = await waitFor('Synced again', async () => {
      const s = await status(KEEP);
      return s.status === 'Synced' ? s : null;
    }, 30_000);
    expect(back.lastError).toBeNull();
    for (const job of [back.jobs.backfill, back.jobs.default, back.jobs.agent_states, back.jobs.catalog]) expect(job.lastError ?? '').not.toMatch(/401|Auth/);
    await waitFor('the mirror to clear', async () => (await mirror(KEEP)).last_error === null, 30_000);
    const table = await statusOfAll(stack.t.db, KEEP);
    expect(table).not.toMatch(/401|IntercomAuthError/);
  });

  it('a backfill window that fails for good is shown and started again later from its checkpoint; the workspace does not wait for a reauthorization', async () => {
    stack.sim.setEndpointFault('POST /conversations/search', 'bad_request');
    await stack.connect(`tok-${WIN}`);
    const failed = await waitFor('the window error', async () => {
      const s = await status(WIN);
      return s.jobs.backfill.errorClass === 'intercom_4xx' ? s : null;
    }, 60_000, 100);
    expect(failed.status).toBe('Sync in progress');
    expect(failed.errorClass).toBe('intercom_4xx');
    expect(await stack.deps.gate.blockedReason(WIN)).toBeNull();
    // Started again (after failedWindowRetryMs), failing again while the search stays broken.
    const before = stack.sim.stats().byEndpoint['POST /conversations/search'] ?? 0;
    await waitFor('the window started again', async () => (stack.sim.stats().byEndpoint['POST /conversations/search'] ?? 0) > before + 1, 30_000);
    stack.sim.setEndpointFault('POST /conversations/search', null);
    const done = await waitFor('the backfill to finish', async () => {
      const s = await status(WIN);
      return s.jobs.backfill.done ? s : null;
    }, 60_000);
    expect(done.jobs.backfill.lastError).toBeNull();
    // Nothing lost: exactly the expected rows.
    expect(await storedTickets(stack.t.db, WIN)).toEqual(await expectedInBackfill(stack, WIN));
  });

  it('a 500 on GET /tags is retried with backoff up to the bound, then shown; the workspace is Synced and every other job runs', async () => {
    stack.sim.setEndpointFault('GET /tags', 'server_error');
    await stack.connect(`tok-${BOUND}`);
    const gaveUp = await waitFor('the catalog to give up', async () => {
      const v = await status(BOUND);
      return v.jobs.catalog.lastError ? v : null;
    }, 90_000, 100);
    expect(gaveUp.jobs.catalog.errorClass).toBe('intercom_unavailable');
    expect(gaveUp.jobs.catalog.lastError).toMatch(/GET \/tags: HTTP 5\d\d/);
    expect(gaveUp.jobs.catalog.lastError).toMatch(/gave up after its retries/);
    // Retried (each activity attempt with the client's own few retries), then Temporal's bound: MAXIMUM_ATTEMPTS_REACHED.
    expect(stack.sim.stats().byEndpoint['GET /tags'] ?? 0).toBeGreaterThanOrEqual(2);
    const synced = await waitFor('Synced, with the error shown', async () => {
      const v = await status(BOUND);
      return v.status === 'Synced' && v.jobs.default.lastSuccessAt !== null ? v : null;
    }, 60_000);
    expect(synced.errorClass).toBe('intercom_unavailable');
    await waitFor('the search attribute', async () => (await withErrorClass('intercom_unavailable')).includes(workspaceWorkflowId(BOUND)), 30_000);
    stack.sim.setEndpointFault('GET /tags', null);
  });
});
