import { join, resolve } from 'node:path';
import { findTemporalCli } from '../src/temporal/cliBinary';
import { writeWorkflowBundle } from '../src/worker/bundle';

export default async function globalSetup(): Promise<void> {
  // Deadlines are liveness bounds: stretched so a busy machine (a benchmark beside the suite) does not fail a
  // test that is only slow. Jest's own timeout (jest.config.js) stays above the longest scaled wait.
  process.env.WAIT_DEADLINE_SCALE ??= '3';
  // Install the CLI once, before test files start in parallel and race to install it.
  const cli = await findTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH, log: (l) => console.log(l) });
  process.env.TEMPORAL_CLI_PATH = cli;
  // One workflow bundle for every test file: webpack runs once, not once per worker.
  process.env.TEST_WORKFLOW_BUNDLE = await writeWorkflowBundle(join(resolve(__dirname, '..', '.temporal'), `test-workflow-bundle-${process.pid}.js`));
}
