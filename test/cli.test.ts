import { statusTable, verifyReport } from '../src/cli/commands';
import { recordAgentStates } from '../src/repositories/agents';
import { recordSyncError } from '../src/repositories/syncErrors';
import { upsertTickets } from '../src/repositories/tickets';
import type { WorkspaceStatusView } from '../workflows/types';
import { createTestDb, type TestDb } from './helpers/db';

const job = { lastSuccessAt: null, lastError: null, cursor: null, runs: 0 };

describe('CLI output', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.destroy());

  it('status prints one row per workspace with the card state and backfill progress', () => {
    const view: WorkspaceStatusView = {
      workspaceId: 'w1',
      status: 'Sync in progress',
      jobs: {
        backfill: { ...job, childId: 'c', percent: 42.5, conversationsStored: 1234, etaSeconds: 90, done: false },
        resync: null,
        default: { ...job, lastError: 'IntercomAuthError: Access Token Invalid' },
        agent_states: job,
        catalog: job,
      },
    };
    const out = statusTable([{ id: 'w1', name: 'Acme', view }, { id: 'w2', name: 'Gone', view: null }]).split('\n');
    expect(out[0]).toMatch(/^WORKSPACE\s+NAME\s+STATUS\s+BACKFILL/);
    expect(out[1]).toMatch(/w1\s+Acme\s+Sync in progress\s+42.5%\s+1234\s+90s/);
    expect(out[1]).toContain('Access Token Invalid');
    expect(out[2]).toMatch(/w2\s+Gone\s+no workflow/);
  });

  it('verify flags days with zero contacts and a workspace without agent states', async () => {
    const empty = await verifyReport(t.db, 'nobody', 3);
    expect(empty.problems).toEqual(expect.arrayContaining([expect.stringMatching(/0 contacts, zero/), 'no agent states recorded']));

    const now = Math.floor(Date.now() / 1000);
    const rows = [0, 1, 2].flatMap((day) =>
      Array.from({ length: 5 }, (_, i) => ({
        ticket: {
          workspace_id: 'w',
          conversation_id: `${day}-${i}`,
          created_at: new Date((now - day * 86400) * 1000),
          updated_at: new Date((now - day * 86400) * 1000),
          subject: null,
          status: 'open',
          channel: 'chat',
          first_responded_at: null,
          first_response_duration: null,
          parts_truncated: false,
          synced_at: new Date(),
        },
        events: [],
      })),
    );
    await upsertTickets(t.db, rows);
    await recordAgentStates(t.db, 'w', [{ adminId: '1', state: 'away', reassign: false }], new Date());
    const ok = await verifyReport(t.db, 'w', 3);
    expect(ok.problems).toEqual([]);
    expect(ok.text).toMatch(/away\s+1/);

    await recordSyncError(t.db, 'w', 'c-42', 'GET /conversations/{id}: response breaks the contract at created_at', 3);
    const flagged = await verifyReport(t.db, 'w', 3);
    expect(flagged.problems).toEqual([expect.stringContaining('1 conversation(s) passed over')]);
  });
});
