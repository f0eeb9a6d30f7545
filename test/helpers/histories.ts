import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { Stack } from './stack';

/** Saves the histories the replay test replays (`npm run record-histories`). */
export async function recordHistories(stack: Stack, workflowIds: string[]): Promise<void> {
  for (const id of workflowIds) {
    const history = await stack.env.client.workflow.getHandle(id).fetchHistory();
    await writeFile(join(__dirname, '..', 'fixtures', 'histories', `${id.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`), JSON.stringify({ workflowId: id, history: JSON.parse(historyToJSON(history)) }));
  }
}
