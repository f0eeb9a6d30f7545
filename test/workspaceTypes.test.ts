import type { Db } from '../src/db/connection';
import type { PostgresGate } from '../src/ratelimit/gate';
import { upsertWorkspace } from '../src/repositories/workspaces';
import { GATE_REASON_OF_STATUS, GATE_REASONS, SYNC_STATUSES, type SyncStatus } from '../src/workspaceTypes';
import type { WorkspaceStatusView } from '../workflows/types';

/**
 * Never called: `tsc` (part of `npm test`) checks these lines. Each @ts-expect-error fails the type
 * check if the misspelt value were accepted, i.e. if a column or parameter fell back to a plain string.
 */
export async function misspellingsTscRejects(db: Db, gate: PostgresGate): Promise<void> {
  // @ts-expect-error a status that does not exist, written to workspaces.status
  await db.updateTable('workspaces').set({ status: 'Synched' }).execute();
  // @ts-expect-error compared against workspaces.status
  await db.selectFrom('workspaces').select('id').where('status', '=', 'Disconected').execute();
  // @ts-expect-error a region Intercom does not have
  await upsertWorkspace(db, { id: 'w', name: 'n', region: 'de', status: 'Connected', connectedAt: new Date() });
  // @ts-expect-error a gate reason that does not exist
  await gate.setBlocked('w', 'pause');
  // @ts-expect-error an error class that does not exist, written to workspaces.error_class
  await db.updateTable('workspaces').set({ error_class: 'oauth' }).execute();
  // The status the workflow reports is the column's type: no conversion in between.
  const view = null as unknown as WorkspaceStatusView;
  await db.updateTable('workspaces').set({ status: view.status }).execute();
}

describe('the workspace unions shared by the schema and the code', () => {
  it('closes the gate for exactly the statuses that stop requests, each with its own reason', () => {
    const closing = SYNC_STATUSES.filter((s: SyncStatus) => GATE_REASON_OF_STATUS[s] !== null);
    expect(closing).toEqual(['Paused', 'Needs reauthorization', 'Disconnected']);
    expect(closing.map((s) => GATE_REASON_OF_STATUS[s]).sort()).toEqual([...GATE_REASONS].sort());
  });
});
