import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findTemporalCli } from '../../src/temporal/cliBinary';
import type { Stack } from './stack';

const run = promisify(execFile);

/**
 * Saves the histories the replay test replays (`npm run record-histories`), in the proto3 JSON
 * format the Web UI and `temporal workflow show -o json` export.
 */
export async function recordHistories(stack: Stack, workflowIds: string[]): Promise<void> {
  const cli = await findTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH });
  for (const id of workflowIds) {
    const { stdout } = await run(cli, ['workflow', 'show', '--workflow-id', id, '--address', stack.env.address, '--output', 'json'], { maxBuffer: 64 << 20 });
    const file = join(__dirname, '..', 'fixtures', 'histories', `${id.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
    await writeFile(file, JSON.stringify({ workflowId: id, history: JSON.parse(stdout) }, null, 1));
  }
}
