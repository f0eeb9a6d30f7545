// Measures upsertTickets throughput against a fresh database (not a jest test):
//   npx tsx test/repositories/upsertThroughput.ts [tickets=50000] [batchSizes=50,500,5000]
import { toTicketRow, type TicketWithEvents } from '../../src/mapping/ticket';
import { upsertTickets } from '../../src/repositories/tickets';
import type { Conversation, ConversationPart } from '../../src/intercom/schemas';
import { createTestDb } from '../helpers/db';

const total = Number(process.argv[2] ?? 50_000);
const batchSizes = (process.argv[3] ?? '50,500,5000').split(',').map(Number);

/** A conversation with 3 status-changing parts among 8, like a typical closed-and-reopened chat. */
function conversation(id: number, updatedAt: number): Conversation {
  const created = 1_700_000_000 + id;
  const types = ['comment', 'assignment', 'comment', 'close', 'comment', 'open', 'note', 'close'];
  const parts: ConversationPart[] = types.map((part_type, i) => ({
    id: `${id}-${i}`,
    part_type,
    created_at: created + 60 * (i + 1),
    author: { type: i % 2 === 0 ? 'user' : 'admin', id: '7' },
  }));
  return {
    id: String(id),
    created_at: created,
    updated_at: updatedAt,
    state: 'closed',
    title: null,
    source: { type: 'conversation', delivered_as: 'customer_initiated', subject: `Order ${id} did not arrive` },
    first_contact_reply: { created_at: created },
    statistics: null,
    // Attribution as a typical assigned, tagged conversation carries it.
    admin_assignee_id: String(4_000_000 + (id % 20)),
    team_assignee_id: String(7_000_000 + (id % 3)),
    priority: 'not_priority',
    tags: { tags: id % 3 === 0 ? [] : [{ id: String(8_000_000 + (id % 5)) }, { id: String(8_000_010 + (id % 2)) }] },
    conversation_parts: { conversation_parts: parts, total_count: parts.length },
  };
}

async function main(): Promise<void> {
  const t = await createTestDb();
  try {
    for (const batch of batchSizes) {
      const ws = `bench-${batch}`;
      const rows = (updatedAt: number): TicketWithEvents[] =>
        Array.from({ length: total }, (_, i) => toTicketRow(ws, conversation(i, updatedAt + i), new Date()));
      for (const [label, data] of [
        ['insert', rows(1_800_000_000)],
        ['replay (no change)', rows(1_800_000_000)],
        ['update', rows(1_800_100_000)],
      ] as const) {
        const started = process.hrtime.bigint();
        for (let i = 0; i < data.length; i += batch) await upsertTickets(t.db, data.slice(i, i + batch));
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const events = data.reduce((n, r) => n + r.events.length, 0);
        console.log(`batch ${String(batch).padStart(5)}  ${label.padEnd(18)}  ${total} tickets + ${events} events in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} tickets/s`);
      }
    }
  } finally {
    await t.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
