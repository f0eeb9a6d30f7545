import { workspaceStatus } from '../../src/cli/commands';
import { startStack, waitFor, type Stack } from '../helpers/stack';
import { runProcess } from '../helpers/runProcess';
import { stackEnv } from '../helpers/workerProcess';

const WS = 'cli-ws';

describe('the CLI as a process', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ simulator: { seed: 5, workspaces: [{ id: WS, name: 'Cli Co', region: 'eu', conversations: 40 }] } });
  });
  afterAll(async () => stack?.stop());

  const cli = (args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}) =>
    runProcess('src/cli/index.ts', args, { ...stackEnv(stack), ...opts.env }, { stdin: opts.stdin });

  it('connects with a token on standard input, never from argv, then shows, pauses and resumes the workspace', async () => {
    const refused = await cli(['connect', '--token', `tok-${WS}`]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('--token is not accepted');

    const connected = await cli(['connect'], { stdin: `tok-${WS}\n` });
    expect(connected.err).toBe('');
    expect(connected.out).toContain(`connected Cli Co (${WS}, eu)`);
    await waitFor('the backfill', async () => (await workspaceStatus(stack.env.client, WS))?.jobs.backfill.done);

    // status reads the Postgres mirror, which the workflow writes right after its state changes.
    await waitFor('the mirror to say Synced', async () => {
      const row = await stack.t.db.selectFrom('workspaces').select(['status', 'mirror_as_of_ms', 'last_error']).where('id', '=', WS).executeTakeFirst();
      if (row?.status === 'Synced') return true;
      // Thrown, so that a timeout says what the mirror and the workflow said last.
      const view = await workspaceStatus(stack.env.client, WS);
      throw new Error(`the mirror says ${JSON.stringify(row)}; the workflow says ${view?.status} (${view?.lastError ?? 'no error'})`);
    });
    const status = await cli(['status']);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(new RegExp(`${WS}\\s+Cli Co\\s+Synced`));

    const paused = await cli(['pause', WS]);
    expect(paused.out).toContain(`pause: ${WS} is now Paused`);
    const badResync = await cli(['resync', WS, '--from', 'yesterday-ish']);
    expect(badResync.code).toBe(1);
    expect(badResync.err).toContain('--from: "yesterday-ish" is neither Unix seconds nor a date');
    const resumed = await cli(['resume', WS]);
    expect(resumed.out).toContain(`resume: ${WS} is now Synced`);
    for (const r of [connected, status, paused, resumed]) expect(r.out + r.err).not.toContain(`tok-${WS}`);
  });

  it('without TEMPORAL_ADDRESS and no local server, says so instead of starting one', async () => {
    const r = await cli(['pause', 'any-workspace'], { env: { TEMPORAL_ADDRESS: '', TEMPORAL_PORT: '1' } });
    expect(r.code).toBe(1);
    expect(r.err).toContain('no Temporal server on 127.0.0.1:1');
  });
});
