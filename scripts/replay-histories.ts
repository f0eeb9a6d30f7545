import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Worker } from '@temporalio/worker';

/**
 * Replays recorded histories (test/fixtures/histories) against a workflows module and prints one
 * JSON line: { replayed, failures: [{ workflowId, error, determinism }] }.
 * usage: tsx scripts/replay-histories.ts [workflowsPath]
 */
async function main(): Promise<void> {
  const workflowsPath = resolve(process.argv[2] ?? join(__dirname, '..', 'workflows'));
  const dir = join(__dirname, '..', 'test', 'fixtures', 'histories');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const histories = await Promise.all(
    files.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as { workflowId: string; history: unknown }),
  );
  const failures: Array<{ workflowId: string; error: string; determinism: boolean }> = [];
  const bundle = process.env.WORKFLOW_BUNDLE_PATH && !process.argv[2] ? { workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH } } : { workflowsPath };
  for await (const r of Worker.runReplayHistories({ ...bundle, replayName: 'replay' }, histories)) {
    if (r.error) failures.push({ workflowId: r.workflowId, error: String(r.error), determinism: r.error.name === 'DeterminismViolationError' });
  }
  console.log(JSON.stringify({ replayed: histories.length, failures }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
