import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';

const dir = join(__dirname, 'fixtures', 'histories');

async function histories() {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => {
      const recorded = JSON.parse(await readFile(join(dir, file), 'utf8')) as { workflowId: string; history: unknown };
      return { file, workflowId: recorded.workflowId, history: historyFromJSON(recorded.history) };
    }),
  );
}

// Histories recorded by `npm run record-histories` from real runs of every workflow type.
describe('replay of recorded histories', () => {
  it('has a recorded history of every workflow type', async () => {
    const types = new Set<string>();
    for (const h of await histories()) {
      const started = h.history.events?.[0]?.workflowExecutionStartedEventAttributes;
      if (started?.workflowType?.name) types.add(started.workflowType.name);
    }
    expect([...types].sort()).toEqual(['backfillWorkflow', 'workspaceWorkflow']);
  });

  it('replays every history against the current workflow code', async () => {
    const all = await histories();
    expect(all.length).toBeGreaterThanOrEqual(2);
    const bundle = process.env.TEST_WORKFLOW_BUNDLE;
    const options = bundle ? { workflowBundle: { codePath: bundle } } : { workflowsPath: require.resolve('../workflows') };
    const failures: string[] = [];
    for await (const r of Worker.runReplayHistories({ ...options, replayName: 'current' }, all.map((h) => ({ workflowId: h.workflowId, history: h.history })))) {
      if (r.error) failures.push(`${r.workflowId}: ${String(r.error)}`);
    }
    expect(failures).toEqual([]);
  });

  it('catches a non-deterministic change', async () => {
    const [first] = await histories();
    await expect(
      Worker.runReplayHistory({ workflowsPath: require.resolve('./fixtures/nondeterministic'), replayName: first!.file }, first!.history, first!.workflowId),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
