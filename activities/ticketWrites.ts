import type { Db } from '../src/db/connection';
import { describeDataError, isDataError, retryOnConnectionLoss } from '../src/db/errors';
import type { TicketWithEvents } from '../src/mapping/ticket';
import { recordSyncError } from '../src/repositories/syncErrors';
import { upsertTickets } from '../src/repositories/tickets';

export interface TicketWriteOutcome {
  /** Conversation ids written (or found stored unchanged), in batch order. */
  stored: string[];
  /** Rows the database refused for their data; each is recorded in sync_errors. */
  rejected: Array<{ conversationId: string; problem: string }>;
}

/**
 * Writes a flush of tickets. The batch is one statement; if the database refuses it for its data
 * (a data exception, a constraint, a limit: see isDataError), the rows are written one by one and
 * each refused row goes to sync_errors with Postgres's reason, so one bad record costs itself and
 * never the window. A lost connection is retried on a fresh one (the upserts are idempotent); a
 * database that stays away is not a data error: its pg error propagates and the activity retries.
 */
export async function writeTickets(db: Db, workspaceId: string, rows: readonly TicketWithEvents[]): Promise<TicketWriteOutcome> {
  const ids = rows.map((r) => r.ticket.conversation_id);
  try {
    await retryOnConnectionLoss(() => upsertTickets(db, rows));
    return { stored: ids, rejected: [] };
  } catch (err) {
    if (!isDataError(err) || rows.length === 0) throw err;
  }
  const out: TicketWriteOutcome = { stored: [], rejected: [] };
  for (const row of rows) {
    const id = row.ticket.conversation_id;
    try {
      await retryOnConnectionLoss(() => upsertTickets(db, [row]));
      out.stored.push(id);
    } catch (err) {
      if (!isDataError(err)) throw err;
      const problem = describeDataError(err);
      await retryOnConnectionLoss(() => recordSyncError(db, workspaceId, id, problem, 1));
      out.rejected.push({ conversationId: id, problem });
    }
  }
  return out;
}
