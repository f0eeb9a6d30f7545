import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../../testkit/simulator';
import { createTestDb, type TestDb } from '../helpers/db';

// Two worker PROCESSES share one workspace's budget through Postgres and the simulator counts what arrives.
// Windows are 5 s (Intercom's are 10 s; the simulator and the limiter both take the length as an option) to keep
// the file short while crossing several window boundaries.

const ROOT = join(__dirname, '..', '..');
const WINDOW_MS = Number(process.env.RATE_TEST_WINDOW_MS ?? 5_000); // RATE_TEST_WINDOW_MS=10000 runs Intercom's real window length
const BUDGET = 100; // per window
const WINDOWS = 3;
const WS = 'ws-hammer';
const WS_PACED = 'ws-paced';

interface WorkerResult {
  ok: number;
  errors: Record<string, number>;
  requestsSent: number;
  limiter: { acquires: number; claims: number; records: number };
  elapsedMs: number;
}

function runWorker(envExtra: Record<string, string>, onReady: (start: (line: string) => void) => void): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(__dirname, 'hammerWorker.ts')], {
      cwd: ROOT,
      env: { ...process.env, ...envExtra },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let readySeen = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!readySeen && out.includes('"ready":true')) {
        readySeen = true;
        onReady((line) => child.stdin.end(line));
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`worker exited with ${code}: ${err}`));
      try {
        resolve(JSON.parse(last) as WorkerResult);
      } catch {
        reject(new Error(`worker printed no result: ${out} ${err}`));
      }
    });
  });
}

describe('two worker processes on one workspace', () => {
  let sim: Simulator;
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(2);
    sim = await startSimulator({
      ratePerMinute: (BUDGET * 60_000) / WINDOW_MS,
      windowMs: WINDOW_MS,
      latencyMs: 10,
      jitterMs: 10,
      workspaces: [
        { id: WS, name: 'Hammer Co', region: 'us', conversations: 40 },
        { id: WS_PACED, name: 'Paced Co', region: 'us', conversations: 40 },
      ],
    });
  });
  afterAll(async () => {
    await sim?.stop();
    await t?.destroy();
  });

  it('get zero 429s and never more than the budget in a window, hammering or at a steady 110 % of it', async () => {
    const common = { SIM_BASE_URL: sim.baseUrl, DATABASE_URL: t.url, WINDOW_MS: String(WINDOW_MS) };
    const hammer = { ...common, WORKSPACE_ID: WS, MODE: 'hammer', CONCURRENCY: '8', CONVERSATION_IDS: sim.workspace(WS).conversations().map((c) => c.id).join(',') };
    // Two processes, each asking for 55 % of the budget at an even pace.
    const paced = { ...common, WORKSPACE_ID: WS_PACED, MODE: 'paced', RATE_PER_SEC: String((0.55 * BUDGET * 1000) / WINDOW_MS), CONVERSATION_IDS: sim.workspace(WS_PACED).conversations().map((c) => c.id).join(',') };
    // Once all four have booted (tsx compiles on the fly, slowly on a busy machine), all start on the same window boundary.
    const starters: ((line: string) => void)[] = [];
    const onReady = (start: (line: string) => void): void => {
      starters.push(start);
      if (starters.length < 4) return;
      const startAt = Math.ceil((Date.now() + 500) / WINDOW_MS) * WINDOW_MS;
      const line = `${JSON.stringify({ startAt, endAt: startAt + WINDOWS * WINDOW_MS })}\n`;
      for (const s of starters) s(line);
    };
    const [h1, h2, p1, p2] = await Promise.all([runWorker(hammer, onReady), runWorker(hammer, onReady), runWorker(paced, onReady), runWorker(paced, onReady)]);
    expect(starters).toHaveLength(4);

    for (const [ws, results] of [
      [WS, [h1!, h2!]],
      [WS_PACED, [p1!, p2!]],
    ] as const) {
      const s = sim.stats().byWorkspace[ws];
      const claims = results.reduce((a, r) => a + r.limiter.claims, 0);
      const records = results.reduce((a, r) => a + r.limiter.records, 0);
      console.log(
        `${ws}: ${s?.requests} requests in ${s?.windows} windows of ${BUDGET} (max ${s?.maxInWindow}/window), ${s?.requests429} × 429, ` +
          `per process ${results.map((r) => r.requestsSent).join(' + ')}, ` +
          `${claims} claims and ${records} recorded observations in Postgres`,
      );
      expect(s?.requests429).toBe(0);
      expect(s?.maxInWindow).toBeLessThanOrEqual(BUDGET);
      // Intercom saw every answered request and nothing the processes did not send (a request in flight when
      // time was up may or may not have arrived).
      expect(s?.requests).toBeGreaterThanOrEqual(results.reduce((a, r) => a + r.ok, 0));
      expect(s?.requests).toBeLessThanOrEqual(results.reduce((a, r) => a + r.requestsSent, 0));
      for (const r of results) {
        expect(r.errors).toEqual({});
        expect(r.ok).toBeGreaterThan(0);
      }
    }
  });
});
