import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { findTemporalCli } from '../src/temporal/cliBinary';

export default async function globalSetup(): Promise<void> {
  // Install the CLI once, before test files start in parallel and race to install it.
  const cli = await findTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH, log: (l) => console.log(l) });
  process.env.TEMPORAL_CLI_PATH = cli;
  // One workflow bundle for every test file: webpack runs once, not once per worker.
  const dir = resolve(__dirname, '..', '.temporal');
  await mkdir(dir, { recursive: true });
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never });
  const path = join(dir, `test-workflow-bundle-${process.pid}.js`);
  await writeFile(path, code);
  process.env.TEST_WORKFLOW_BUNDLE = path;
}
