import type { ChildProcess } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { workspaceStatus } from '../../src/cli/commands';
import { expectedInBackfill, refetched, storedTickets } from '../helpers/expectRows';
import { startStack, waitFor, type Stack } from '../helpers/stack';
import { workerProcesses, type WorkerProcesses } from '../helpers/workerProcess';

const WS = 'dbrestart-ws';
const WS2 = 'outage-ws';
const WORKER_APP = 'dbrestart-worker';

/**
 * A TCP proxy in front of Postgres that can be down for a while, as the server is during a restart:
 * every connection through it is cut, and new ones are cut as soon as they arrive, until it is up.
 */
class FlakyProxy {
  outages = 0;
  private down = false;
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: Server) {}

  static async open(target: { host: string; port: number }): Promise<FlakyProxy> {
    const server = createServer();
    const proxy = new FlakyProxy(server);
    server.on('connection', (client) => proxy.accept(client, target));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  private accept(client: Socket, target: { host: string; port: number }): void {
    if (this.down) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
      this.sockets.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        this.sockets.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  }

  goDown(): void {
    this.down = true;
    this.outages += 1;
    for (const s of this.sockets) s.destroy();
  }

  comeUp(): void {
    this.down = false;
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}

/**
 * Terminates every backend of the test database (the worker's and this test's own pools) from a
 * connection to another database, the way a restart or a failover drops them.
 */
class Terminator {
  rounds = 0;
  backends = 0;
  /** Of those, the worker's (its DATABASE_URL names application_name=WORKER_APP). */
  workerBackends = 0;
  private constructor(
    private readonly admin: pg.Client,
    private readonly dbName: string,
  ) {}

  static async open(dbUrl: string): Promise<Terminator> {
    const target = new URL(dbUrl);
    const adminUrl = new URL(dbUrl);
    adminUrl.pathname = '/postgres';
    const admin = new pg.Client({ connectionString: adminUrl.toString() });
    await admin.connect();
    return new Terminator(admin, decodeURIComponent(target.pathname.slice(1)));
  }

  async round(): Promise<number> {
    const r = await this.admin.query<{ ok: boolean; app: string }>(
      'select pg_terminate_backend(pid) as ok, application_name as app from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [this.dbName],
    );
    const killed = r.rows.filter((x) => x.ok);
    this.rounds += 1;
    this.backends += killed.length;
    const ofWorker = killed.filter((x) => x.app === WORKER_APP).length;
    this.workerBackends += ofWorker;
    return ofWorker;
  }

  close(): Promise<void> {
    return this.admin.end();
  }
}

const alive = (p: ChildProcess) => p.exitCode === null && p.signalCode === null;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the database drops every connection, again and again', () => {
  let stack: Stack;
  let workers: WorkerProcesses;
  let terminator: Terminator;

  beforeAll(async () => {
    stack = await startStack({
      startWorker: false,
      simulator: {
        seed: 5,
        ratePerMinute: 6000,
        latencyMs: 5,
        workspaces: [
          { id: WS, name: 'Restart Co', region: 'us', conversations: 2000 },
          { id: WS2, name: 'Outage Co', region: 'us', conversations: 2000 },
        ],
      },
      workflow: { cadence: { agentStatesMs: 1_000 }, backfill: { heartbeatTimeoutMs: 5_000 } },
    });
    workers = workerProcesses(stack);
    terminator = await Terminator.open(stack.t.url);
  });
  afterAll(async () => {
    workers?.killAll();
    await terminator?.close();
    await stack?.stop();
  });

  it('the worker stays up through a backfill and the agent poller; rows end exact; at most one search page fetched again per termination', async () => {
    const url = new URL(stack.t.url);
    url.searchParams.set('application_name', WORKER_APP);
    const worker = workers.start({ DATABASE_URL: url.toString() });
    await stack.connect(`tok-${WS}`);
    const count = async () => Number((await stack.t.db.selectFrom('tickets').select((eb) => eb.fn.countAll().as('n')).where('workspace_id', '=', WS).executeTakeFirstOrThrow()).n);
    await waitFor('the backfill to be under way', async () => (await count()) >= 150, 60_000, 50);

    // During the backfill: a termination round every ~400 ms until it is done.
    let terminatedDuringBackfill = 0;
    const deadline = Date.now() + 180_000;
    for (;;) {
      if (!alive(worker)) throw new Error(`the worker died (exit ${worker.exitCode}, signal ${worker.signalCode}):\n${workers.output().slice(-3000)}`);
      const status = await workspaceStatus(stack.env.client, WS);
      if (status?.jobs.backfill.done) break;
      if (Date.now() > deadline) throw new Error(`the backfill did not finish: ${JSON.stringify(status?.jobs.backfill)}`);
      terminatedDuringBackfill += await terminator.round();
      await pause(400);
    }
    const backfillRounds = terminator.rounds;
    expect(backfillRounds).toBeGreaterThanOrEqual(5);
    expect(terminatedDuringBackfill).toBeGreaterThanOrEqual(backfillRounds); // the worker's connections were among them, round after round

    // During the agent poller (every 1 s here): flip agents while connections keep being dropped.
    const ws = stack.sim.workspace(WS);
    const admins = ws.admins().slice(0, 3);
    for (const [i, a] of admins.entries()) {
      ws.setAway(a.id, !a.away_mode_enabled, i % 2 === 0);
      await terminator.round();
      await pause(300);
      await terminator.round();
    }
    for (let i = 0; i < 6; i++) {
      await terminator.round();
      await pause(400);
    }
    const expectedStates = new Map(ws.admins().map((a) => [a.id, a.away_mode_enabled ? 'away' : 'available']));
    await waitFor('agent_states to match the simulator', async () => {
      const rows = await stack.t.db.selectFrom('agent_states').select(['admin_id', 'state']).where('workspace_id', '=', WS).execute();
      return rows.length === expectedStates.size && rows.every((r) => expectedStates.get(r.admin_id) === r.state);
    }, 30_000);

    expect(alive(worker)).toBe(true);
    expect(workers.output()).not.toMatch(/Unhandled 'error' event/);
    expect(await storedTickets(stack.t.db, WS)).toEqual(await expectedInBackfill(stack, WS));
    const dupes = await stack.t.db
      .selectFrom('ticket_status_events')
      .select(['conversation_id', 'part_id'])
      .where('workspace_id', '=', WS)
      .groupBy(['conversation_id', 'part_id'])
      .having((eb) => eb.fn.countAll(), '>', 1)
      .execute();
    expect(dupes).toEqual([]);
    const stats = stack.sim.stats();
    const refetchedDetails = refetched(stats.conversationFetches);
    // Each round can cost the page in progress of a window, never more.
    expect(stats.searchPagesRepeated).toBeLessThanOrEqual(backfillRounds);
    console.log(
      `db restarts: ${terminator.rounds} termination rounds (${backfillRounds} during the backfill) of ${terminator.backends} backends (${terminator.workerBackends} of the worker); ` +
        `search pages fetched again: ${stats.searchPagesRepeated}; conversation details fetched again: ${refetchedDetails}`,
    );
    worker.kill('SIGKILL');
    await new Promise((r) => worker.once('close', r));
  });

  it('through outages of seconds (longer than a statement is retried), activities fail, are retried, and the backfill ends exact', async () => {
    const pgUrl = new URL(stack.t.url);
    const proxy = await FlakyProxy.open({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
    try {
      const viaProxy = new URL(stack.t.url);
      viaProxy.port = String(proxy.port);
      const worker = workers.start({ DATABASE_URL: viaProxy.toString() });
      stack.sim.resetStats();
      await stack.connect(`tok-${WS2}`);
      const count = async () => Number((await stack.t.db.selectFrom('tickets').select((eb) => eb.fn.countAll().as('n')).where('workspace_id', '=', WS2).executeTakeFirstOrThrow()).n);
      const deadline = Date.now() + 180_000;
      let next = 150;
      for (;;) {
        if (!alive(worker)) throw new Error(`the worker died:\n${workers.output().slice(-3000)}`);
        const status = await workspaceStatus(stack.env.client, WS2);
        if (status?.jobs.backfill.done) break;
        if (Date.now() > deadline) throw new Error(`the backfill did not finish: ${JSON.stringify(status?.jobs.backfill)}`);
        // An outage of 3 s each time another few hundred conversations are stored.
        if ((await count()) >= next && proxy.outages < 3) {
          proxy.goDown();
          await pause(3_000);
          proxy.comeUp();
          next = (await count()) + 400;
        }
        await pause(200);
      }
      expect(proxy.outages).toBeGreaterThanOrEqual(2);
      expect(alive(worker)).toBe(true);
      expect(await storedTickets(stack.t.db, WS2)).toEqual(await expectedInBackfill(stack, WS2));
      // The activities really failed and were retried (not absorbed by the short statement retry).
      expect(workers.output()).toMatch(/Activity failed|activity.*(failed|retry)/i);
      const stats = stack.sim.stats();
      // At most the page in progress of each of the two windows per outage.
      expect(stats.searchPagesRepeated).toBeLessThanOrEqual(2 * proxy.outages);
      console.log(`db outages: ${proxy.outages} × 3 s; search pages fetched again: ${stats.searchPagesRepeated}`);
    } finally {
      await proxy.close();
    }
  });
});
