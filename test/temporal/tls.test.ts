import type { ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { workspaceStatus } from '../../src/cli/commands';
import { loadConfig } from '../../src/config';
import { configuredTarget, connectClient, connectWorkerConnection, TemporalConnectError } from '../../src/temporal/connection';
import { startStack, waitFor, type Stack } from '../helpers/stack';
import { runProcess } from '../helpers/runProcess';
import { stackEnv, workerProcesses, type WorkerProcesses } from '../helpers/workerProcess';
import { createTestPki, SERVER_NAME, type TestPki } from './certs';
import { startRecordingProxy, startTlsFront, type Front, type RecordingProxy } from './fronts';

const API_KEY = 'tmprl-test-key-7f3c9a1e5b2d4c6e8a0f';
const WS = { tls: 'tls-ws', mtls: 'mtls-ws', key: 'apikey-ws' };

/**
 * Real TLS in front of the real dev server: a TLS terminator (Node's tls, ALPN h2, certificates
 * made by this test) for TLS and mTLS, and a gRPC-level proxy that records request headers for
 * the API key. A worker process and the CLI, configured only through TEMPORAL_* variables, sync a
 * workspace through each; each scenario has its own task queue, so its workflow can only have run
 * on the worker that connected through that endpoint.
 */
describe('Temporal over TLS, mTLS and with an API key', () => {
  let stack: Stack;
  let pki: TestPki;
  let tlsFront: Front;
  let mtlsFront: Front;
  let proxy: RecordingProxy;
  let workers: WorkerProcesses;

  beforeAll(async () => {
    pki = createTestPki();
    stack = await startStack({
      startWorker: false,
      simulator: {
        seed: 11,
        workspaces: [
          { id: WS.tls, name: 'Tls Co', region: 'us', conversations: 30 },
          { id: WS.mtls, name: 'Mtls Co', region: 'us', conversations: 30 },
          { id: WS.key, name: 'Key Co', region: 'us', conversations: 30 },
        ],
      },
    });
    const upstream = stack.env.address;
    [tlsFront, mtlsFront, proxy] = await Promise.all([
      startTlsFront({ upstream, server: pki.server }),
      startTlsFront({ upstream, server: pki.server, clientCa: pki.ca }),
      // Temporal Cloud refuses the operator service to an API key of a namespace user.
      startRecordingProxy({ upstream, server: pki.server, refuse: /OperatorService/ }),
    ]);
    workers = workerProcesses(stack);
  });

  afterAll(async () => {
    workers?.killAll();
    await Promise.all([tlsFront?.close(), mtlsFront?.close(), proxy?.close()]);
    await stack?.stop();
    pki?.remove();
  });

  const tlsEnv = (address: string) => ({ TEMPORAL_ADDRESS: address, TEMPORAL_TLS_CA: pki.ca.certPath, TEMPORAL_TLS_SERVER_NAME: SERVER_NAME, TEMPORAL_CONNECT_TIMEOUT_MS: '3000' });
  const clientCert = () => ({ TEMPORAL_TLS_CERT: pki.client.certPath, TEMPORAL_TLS_KEY: pki.client.keyPath });

  const cli = (args: string[], env: Record<string, string>, stdin = '') => runProcess('src/cli/index.ts', args, { ...stackEnv(stack), ...env }, { stdin });


  function exited(child: ChildProcess): Promise<number | null> {
    if (child.exitCode !== null) return Promise.resolve(child.exitCode);
    return new Promise((done) => child.once('exit', (code) => done(code)));
  }

  async function workerPolling(env: Record<string, string>): Promise<ChildProcess> {
    const child = workers.start(env);
    await waitFor('the worker to poll', async () => {
      if (child.exitCode !== null) throw new Error(`worker exited ${child.exitCode}: ${workers.output()}`);
      return workers.output().includes(`worker polling ${env.TEMPORAL_TASK_QUEUE}`);
    });
    return child;
  }

  /** Connect through the CLI, wait for the five-year backfill, read the status back through the CLI. */
  async function syncThrough(workspace: string, env: Record<string, string>): Promise<string> {
    const connected = await cli(['connect'], env, `tok-${workspace}\n`);
    expect(connected.err).toBe('');
    expect(connected.out).toContain(`(${workspace}, us)`);
    await waitFor(`the backfill of ${workspace}`, async () => (await workspaceStatus(stack.env.client, workspace))?.jobs.backfill.done);
    // An update through the same connection (status reads Postgres, not Temporal).
    const status = await cli(['resume', workspace], env);
    expect(status.code).toBe(0);
    expect(status.out).toContain(`resume: ${workspace} is now Synced`);
    return connected.out + connected.err + status.out + status.err;
  }

  it('TLS: a worker and the CLI sync a workspace through a TLS endpoint (CA and server name from the environment)', async () => {
    const env = { ...tlsEnv(tlsFront.address), TEMPORAL_TASK_QUEUE: 'tls-queue' };
    const worker = await workerPolling(env);
    expect(workers.output()).toContain(`worker polling tls-queue on ${tlsFront.address} (TLS)`);
    await syncThrough(WS.tls, env);
    expect(tlsFront.accepted).toBeGreaterThanOrEqual(3); // worker client, worker core, CLI
    worker.kill('SIGTERM');
    expect(await exited(worker)).toBe(0);
  });

  it('mTLS: the same through an endpoint that requires a client certificate signed by its CA', async () => {
    const env = { ...tlsEnv(mtlsFront.address), ...clientCert(), TEMPORAL_TASK_QUEUE: 'mtls-queue' };
    const refusedBefore = mtlsFront.refusedHandshakes.length;
    const worker = await workerPolling(env);
    await syncThrough(WS.mtls, env);
    expect(mtlsFront.refusedHandshakes.length).toBe(refusedBefore);
    worker.kill('SIGTERM');
    expect(await exited(worker)).toBe(0);
  });

  it('mTLS without a client certificate: the CLI and a worker fail with the reason, within the connect timeout', async () => {
    const noCert = await cli(['resume', 'any-workspace'], tlsEnv(mtlsFront.address));
    expect(noCert.code).toBe(1);
    expect(noCert.err).toContain(`cannot connect to Temporal at ${mtlsFront.address} with TLS`);
    expect(noCert.err).toContain('the server requires a client certificate (mTLS): set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY');
    expect(mtlsFront.refusedHandshakes.some((r) => r.includes('peer did not return a certificate'))).toBe(true);

    const worker = workers.start({ ...tlsEnv(mtlsFront.address), TEMPORAL_TASK_QUEUE: 'never-polled' });
    expect(await exited(worker)).toBe(1);
    expect(workers.output()).toContain('the server requires a client certificate (mTLS)');
  });

  it('a wrong CA fails with the reason, for the CLI and for a worker process', async () => {
    const wrongCa = { ...tlsEnv(tlsFront.address), TEMPORAL_TLS_CA: pki.otherCa.certPath };
    const r = await cli(['resume', 'any-workspace'], wrongCa);
    expect(r.code).toBe(1);
    expect(r.err).toContain("the server's certificate is not trusted");
    expect(r.err).toContain('TEMPORAL_TLS_CA is not the CA that signed it');
    expect(r.err).toContain(`TEMPORAL_TLS_CA=${pki.otherCa.certPath}`);

    const worker = workers.start({ ...wrongCa, TEMPORAL_TASK_QUEUE: 'never-polled' });
    expect(await exited(worker)).toBe(1);
    expect(workers.output()).toContain("the server's certificate is not trusted");
  });

  it('the worker connection (Rust core) and the client name each TLS problem the same way', async () => {
    const silent = new Set<Socket>();
    const blackHole = { server: createServer((s) => silent.add(s)), address: '' };
    await new Promise<void>((ready) => blackHole.server.listen(0, '127.0.0.1', ready));
    blackHole.address = `127.0.0.1:${(blackHole.server.address() as AddressInfo).port}`;
    const target = (env: Record<string, string>) => configuredTarget(loadConfig({ ...tlsEnv(tlsFront.address), ...env }));
    const cases: Array<[string, ReturnType<typeof target>, RegExp]> = [
      ['wrong CA', target({ TEMPORAL_TLS_CA: pki.otherCa.certPath }), /the server's certificate is not trusted .*TEMPORAL_TLS_CA is not the CA that signed it/],
      ['wrong name', target({ TEMPORAL_TLS_SERVER_NAME: 'elsewhere.test' }), /not issued for "elsewhere\.test".*set TEMPORAL_TLS_SERVER_NAME/],
      ['no client certificate', configuredTarget(loadConfig({ ...tlsEnv(mtlsFront.address) })), /the server requires a client certificate \(mTLS\)/],
      [
        'a client certificate from another CA',
        configuredTarget(loadConfig({ ...tlsEnv(mtlsFront.address), TEMPORAL_TLS_CERT: pki.strangerClient.certPath, TEMPORAL_TLS_KEY: pki.strangerClient.keyPath })),
        /may not accept the client certificate|rejected the client certificate|did not accept the client certificate/,
      ],
      ['plaintext to a TLS port', configuredTarget(loadConfig({ TEMPORAL_ADDRESS: tlsFront.address, TEMPORAL_CONNECT_TIMEOUT_MS: '3000' })), /speaks TLS: set TEMPORAL_TLS=true/],
      // Accepts TCP and never answers (a firewall's black hole): the connect timeout ends the wait.
      ['a server that never answers', target({ TEMPORAL_ADDRESS: blackHole.address }), /no TLS answer from 127\.0\.0\.1:\d+ within 3000 ms/],
    ];
    for (const [what, t, reason] of cases) {
      const native = await connectWorkerConnection(t).then(
        async (c) => {
          await c.close();
          return null;
        },
        (e: unknown) => e,
      );
      expect([what, native]).toEqual([what, expect.any(TemporalConnectError)]);
      expect([what, (native as Error).message]).toEqual([what, expect.stringMatching(reason)]);
      const client = await connectClient(t).then(
        async (c) => {
          await c.connection.close();
          return null;
        },
        (e: unknown) => e,
      );
      expect([what, (client as Error)?.message]).toEqual([what, expect.stringMatching(reason)]);
    }
    for (const s of silent) s.destroy();
    blackHole.server.close();
  });

  it('API key: sent as authorization: Bearer on every call of the worker and the CLI, never printed; a refused operator call is a warning', async () => {
    const env = { ...tlsEnv(proxy.address), TEMPORAL_API_KEY: API_KEY, TEMPORAL_TASK_QUEUE: 'apikey-queue' };
    const worker = await workerPolling(env);
    const cliOutput = await syncThrough(WS.key, env);

    const paths = proxy.calls.map((c) => c.path.split('/').pop());
    expect(paths).toEqual(expect.arrayContaining(['ListSearchAttributes', 'PollWorkflowTaskQueue', 'PollActivityTaskQueue', 'SignalWithStartWorkflowExecution', 'UpdateWorkflowExecution']));
    expect(proxy.calls.filter((c) => c.authorization !== `Bearer ${API_KEY}`)).toEqual([]);

    // The server refused the operator service: the worker warned with what to register, and ran on.
    expect(workers.output()).toMatch(/warning: could not check or register search attributes in namespace default \(.*Request unauthorized/);
    expect(workers.output()).toContain('register IntercomWorkspaceId (Keyword), IntercomSyncStatus (Keyword), IntercomBackfillPercent (Int)');
    expect(workers.output()).toContain('tcld namespace search-attributes add --namespace default --search-attribute IntercomWorkspaceId=Keyword');

    // A failure with the key set names the problem and not the key.
    const failed = await cli(['resume', 'any-workspace'], { ...env, TEMPORAL_TLS_CA: pki.otherCa.certPath });
    expect(failed.code).toBe(1);
    expect(failed.err).toContain('TEMPORAL_API_KEY (set)');
    worker.kill('SIGTERM');
    expect(await exited(worker)).toBe(0);
    for (const text of [workers.output(), cliOutput, failed.out + failed.err]) expect(text).not.toContain(API_KEY);
  });
});
