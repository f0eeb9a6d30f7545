import { statusTable, verifyReport } from '../src/cli/commands';
import { recordAgentStates } from '../src/repositories/agents';
import { recordSyncError } from '../src/repositories/syncErrors';
import { upsertTickets } from '../src/repositories/tickets';
import { createTestDb, type TestDb } from './helpers/db';

describe('CLI output', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.destroy());

  it('status prints one row per workspace from the Postgres mirror: card state, backfill progress, last error', () => {
    const now = Date.now();
    const out = statusTable([
      { id: 'w1', name: 'Acme', status: 'Sync in progress', backfillPercent: 40, stored: 1234, etaSeconds: 90, lastDefaultRunAt: now - 5_000, agentsPolledAt: now - 3_000, lastError: 'IntercomAuthError: Access Token Invalid' },
      { id: 'w2', name: 'New', status: 'Connected', backfillPercent: null, stored: null, etaSeconds: null, lastDefaultRunAt: null, agentsPolledAt: null, lastError: null },
    ]).split('\n');
    expect(out[0]).toMatch(/^WORKSPACE\s+NAME\s+STATUS\s+BACKFILL/);
    expect(out[1]).toMatch(/w1\s+Acme\s+Sync in progress\s+40%\s+1234\s+90s\s+\d+s ago\s+\d+s ago\s+IntercomAuthError: Access Token Invalid$/);
    expect(out[2]).toMatch(/w2\s+New\s+Connected\s+-\s+-\s+-\s+-\s+-$/);
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
