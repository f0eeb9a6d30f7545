import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(__dirname, '..');
const dir = join(__dirname, 'fixtures', 'histories');

interface ReplayReport {
  replayed: number;
  failures: Array<{ workflowId: string; error: string; determinism: boolean }>;
}

/** Replays in a plain Node process: jest's module registry breaks the SDK's protobuf conversions. */
async function replay(workflowsPath?: string): Promise<ReplayReport> {
  const args = [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'scripts/replay-histories.ts'), ...(workflowsPath ? [workflowsPath] : [])];
  const env = { ...process.env, ...(process.env.TEST_WORKFLOW_BUNDLE ? { WORKFLOW_BUNDLE_PATH: process.env.TEST_WORKFLOW_BUNDLE } : {}) };
  const { stdout } = await run(process.execPath, args, { env, maxBuffer: 16 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ReplayReport;
}

// Histories recorded by `npm run record-histories` from a real run of every workflow type.
describe('replay of recorded histories', () => {
  it('has a recorded history of every workflow type', async () => {
    const types = new Set<string>();
    for (const f of (await readdir(dir)).filter((x) => x.endsWith('.json'))) {
      const recorded = JSON.parse(await readFile(join(dir, f), 'utf8')) as {
        history: { events?: Array<{ workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }> };
      };
      const name = recorded.history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
      if (name) types.add(name);
    }
    expect([...types].sort()).toEqual(['backfillWorkflow', 'workspaceWorkflow']);
  });

  it('replays every history against the current workflow code', async () => {
    const report = await replay();
    expect(report.replayed).toBeGreaterThanOrEqual(3);
    expect(report.failures).toEqual([]);
  });

  it('catches a non-deterministic change', async () => {
    const report = await replay(join(__dirname, 'fixtures', 'nondeterministic'));
    expect(report.failures.length).toBe(report.replayed);
    expect(report.failures.every((f) => f.determinism)).toBe(true);
  });
});
