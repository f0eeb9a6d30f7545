import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { request } from 'undici';
import { freePort } from '../../testkit/net';
import { runProcess } from '../helpers/runProcess';
import { startStack, waitFor, type Stack } from '../helpers/stack';
import { tcpProxy, type TcpProxy } from './tcpProxy';

const root = resolve(__dirname, '..', '..');

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await request(url);
  return { status: res.statusCode, body: await res.body.text() };
}

// `npm run server` as its own process: no worker, no simulator, no dev server; readiness follows
// Postgres (reached through a relay the test takes down and brings back); connect links from the CLI.
describe('npm run server', () => {
  let stack: Stack;
  let pg: TcpProxy;
  let temporal: TcpProxy;
  let child: ChildProcess | null = null;
  let output = '';
  let base = '';
  let env: Record<string, string> = {};

  beforeAll(async () => {
    stack = await startStack({ startWorker: false, simulator: { workspaces: [{ id: 'proc-ws', name: 'Proc Co', region: 'us', conversations: 0 }] } });
    pg = await tcpProxy(Number(new URL(stack.t.url).port || 5432));
    const [temporalHost = '127.0.0.1', temporalPort = '7233'] = stack.env.address.split(':');
    temporal = await tcpProxy(Number(temporalPort), temporalHost === 'localhost' ? '127.0.0.1' : temporalHost);
    const dbUrl = new URL(stack.t.url);
    dbUrl.port = String(pg.port);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      DATABASE_URL: dbUrl.toString(),
      TEMPORAL_ADDRESS: `127.0.0.1:${temporal.port}`,
      TEMPORAL_TASK_QUEUE: stack.taskQueue,
      TOKEN_ENCRYPTION_KEY: stack.key,
      INTERCOM_API_BASE_URL: stack.sim.baseUrl,
      INTERCOM_APP_BASE_URL: stack.sim.baseUrl,
      INTERCOM_CLIENT_ID: 'sim-client',
      INTERCOM_CLIENT_SECRET: 'sim-secret',
      HTTP_PORT: String(port),
      PUBLIC_URL: base,
    };
    child = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'src/server/main.ts')], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor('the server to listen', async () => output.includes('server listening'), 60_000, 100).catch((err: Error) => {
      throw new Error(`${err.message}\n${output}`);
    });
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await pg?.down();
    await temporal?.down();
    await stack?.stop();
  });

  it('is ready with Postgres and Temporal, 503 naming Postgres while it is unreachable, ready again when it is back', async () => {
    expect(await get(`${base}/readyz`)).toEqual({ status: 200, body: 'ready: postgres, temporal\n' });
    await pg.down();
    const down = await waitFor('/readyz to report Postgres', async () => {
      const r = await get(`${base}/readyz`);
      return r.status === 503 ? r : null;
    }, 30_000);
    expect(down.body).toMatch(/^not ready: postgres unreachable \(/);
    expect(down.body).not.toContain('temporal');
    // Alive all the same: an orchestrator must not restart servers for a database outage.
    expect((await get(`${base}/healthz`)).status).toBe(200);
    await pg.up();
    await waitFor('/readyz to recover', async () => (await get(`${base}/readyz`)).status === 200, 30_000);
  });

  it('503 naming Temporal while it is unreachable, ready again when it is back', async () => {
    await temporal.down();
    const down = await waitFor('/readyz to report Temporal', async () => {
      const r = await get(`${base}/readyz`);
      return r.status === 503 ? r : null;
    }, 30_000);
    expect(down.body).toMatch(/^not ready: temporal unreachable \(/);
    await temporal.up();
    await waitFor('/readyz to recover', async () => (await get(`${base}/readyz`)).status === 200, 90_000, 500);
  });

  it('runs no worker: nothing polls the task queue', async () => {
    for (const taskQueueType of [1, 2]) {
      const res = await stack.env.client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: stack.taskQueue }, taskQueueType });
      expect(res.pollers ?? []).toHaveLength(0);
    }
    expect(output).not.toMatch(/simulat|worker polling/i);
  });

  it('takes a connect link made by `npm run cli -- connect-link`, once', async () => {
    // Asynchronously: the CLI reaches Postgres through this process's relay.
    const cli = await runProcess('src/cli/index.ts', ['connect-link', '--ttl', '10m', '--note', 'Proc Co'], env);
    expect(`${cli.code} ${cli.err}`).toBe('0 ');
    const url = /^(http\S+)$/m.exec(cli.out)?.[1] ?? '';
    expect(url.startsWith(`${base}/oauth/start?link=`)).toBe(true);
    const token = new URL(url).searchParams.get('link') ?? '';
    const stored = await stack.t.db.selectFrom('connect_links').selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(token); // only its hash is kept
    expect(stored.note).toBe('Proc Co');
    expect((await request(url)).statusCode).toBe(302);
    expect((await request(url)).statusCode).toBe(403);
  });

  it('serves /metrics: webhook counters declared, per-workspace gauges read from Postgres', async () => {
    const r = await get(`${base}/metrics`);
    expect(r.status).toBe(200);
    expect(r.body).toContain('# TYPE intercom_sync_webhooks_received_total counter');
    expect(r.body).toContain('# TYPE intercom_sync_webhooks_rejected_total counter');
    expect(r.body).toContain('# TYPE intercom_sync_workspace_gate gauge');
    expect(r.body).toMatch(/^intercom_sync_metrics_snapshot_ok 1$/m);
  });

  it('SIGTERM: stops accepting, finishes the request in flight (a webhook half sent), exits 0', async () => {
    const { body, headers } = stack.sim.webhook({ workspaceId: 'proc-ws', topic: 'ping', item: { type: 'ping' } });
    const socket = connect(Number(new URL(base).port), '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    const half = Math.floor(body.length / 2);
    socket.write(
      `POST /intercom/webhooks HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nx-hub-signature: ${headers['x-hub-signature']}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, half)}`,
    );
    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    child!.kill('SIGTERM');
    await waitFor('the server to stop accepting', async () => request(`${base}/healthz`).then(() => false, () => true), 20_000, 50);
    socket.end(body.slice(half));
    await waitFor('the answer to the request in flight', async () => answer.includes('\r\n\r\n') && answer, 20_000, 50);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(await exited).toBe(0);
  });
});
