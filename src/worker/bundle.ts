import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} };

/**
 * Bundles `workflows/` once with webpack and writes it to `path`. A worker given the file
 * (WORKFLOW_BUNDLE_PATH) starts in about a second instead of compiling the bundle itself.
 */
export async function writeWorkflowBundle(path: string): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quiet as never });
  const target = resolve(path);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, code);
  return target;
}

// `npm run bundle [-- <path>]`
if (require.main === module) {
  writeWorkflowBundle(process.argv[2] ?? '.data/workflow-bundle.js').then(
    (p) => console.log(`workflow bundle written to ${p}; start workers with WORKFLOW_BUNDLE_PATH=${p}`),
    (err: unknown) => {
      console.error(`error: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
