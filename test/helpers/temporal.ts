import { TestWorkflowEnvironment } from '@temporalio/testing';
import { findTemporalCli } from '../../src/temporal/cliBinary';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/temporal/searchAttributes';

/**
 * The real `temporal` dev server (same binary as `npm start`), one per test file.
 * `dynamicConfig` lets a test lower server thresholds such as the continue-as-new suggestion.
 */
export async function createTemporalEnv(dynamicConfig: Record<string, unknown> = {}): Promise<TestWorkflowEnvironment> {
  const path = await findTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH });
  const extraArgs = ['--log-level', 'error'];
  for (const [k, v] of Object.entries(dynamicConfig)) extraArgs.push('--dynamic-config-value', `${k}=${JSON.stringify(v)}`);
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path },
      searchAttributes: ALL_SEARCH_ATTRIBUTES,
      extraArgs,
    },
  });
}
