import { sql } from 'kysely';
import type { Db } from '../../src/db/connection';
import type { ExpectedTicket, SimWorkspace } from '../../src/simulator';
import { POISON_OUTCOME, type PoisonKind } from './faultProxy';

const sec = (d: Date | null): number | null => (d === null ? null : Math.floor(d.getTime() / 1000));

export interface RowOutcome {
  rows_expected: number;
  rows_stored: number;
  rows_lost: number;
  rows_duplicated: number;
  rows_mismatched: number;
  rows_unexpected: number;
  status_events_expected: number;
  status_events_missing: number;
  status_events_duplicated: number;
  poisoned: number;
  poisoned_rows_wrong: number;
  quarantined: number;
  quarantined_expected: number;
  quarantined_missing: number;
  quarantined_unexpected: number;
  lists: { lost: string[]; mismatched: string[]; unexpected: string[]; quarantinedMissing: string[]; quarantinedUnexpected: string[]; poisonedWrong: Array<{ id: string; kind: PoisonKind; why: string }> };
}

/**
 * Postgres against the simulator's oracle, after the storm. Poisoned conversations are judged apart: those whose
 * correct outcome is a cleaned row must be stored clean; the others must be in sync_errors, and sync_errors must
 * hold nothing else.
 */
export async function compareRows(
  db: Db,
  ws: SimWorkspace,
  workspaceId: string,
  window: { fromSec: number; connectedSec: number; lookbackSec: number },
  poison: ReadonlyMap<string, PoisonKind>,
  servedSubjectChars: ReadonlyMap<string, number>,
): Promise<RowOutcome> {
  // The backfill covers five years by created_at; the default loop anything updated after the connection, however
  // old. Older conversations updated within the default loop's look-back before the connection may or may not be
  // stored: neither expected nor unexpected.
  const all = ws.expected();
  const expectedAll = all.filter((e) => e.createdAt >= window.fromSec || e.updatedAt > window.connectedSec);
  const optional = new Set(all.filter((e) => e.createdAt < window.fromSec && e.updatedAt > window.connectedSec - window.lookbackSec).map((e) => e.conversationId));
  const expected = new Map<string, ExpectedTicket>();
  for (const e of expectedAll) if (!poison.has(e.conversationId)) expected.set(e.conversationId, e);

  const tickets = await db
    .selectFrom('tickets')
    .select(['conversation_id', 'created_at', 'updated_at', 'status', 'first_responded_at', 'first_response_duration', 'parts_truncated'])
    .select(sql<string | null>`left(subject, 2000)`.as('subject'))
    .select(sql<number | null>`length(subject)`.as('subject_len'))
    .where('workspace_id', '=', workspaceId)
    .execute();
  const events = await db.selectFrom('ticket_status_events').select(['conversation_id', 'part_id', 'status', 'occurred_at']).where('workspace_id', '=', workspaceId).execute();
  const dup = await db
    .selectFrom('tickets')
    .select(sql<number>`count(*) - count(distinct conversation_id)`.as('n'))
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirstOrThrow();
  const dupEvents = await db
    .selectFrom('ticket_status_events')
    .select(sql<number>`count(*) - count(distinct (conversation_id, part_id))`.as('n'))
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirstOrThrow();
  const errors = await db.selectFrom('sync_errors').select('conversation_id').where('workspace_id', '=', workspaceId).execute();

  const storedEvents = new Map<string, Set<string>>();
  for (const e of events) {
    const set = storedEvents.get(e.conversation_id) ?? new Set<string>();
    set.add(`${e.part_id}|${e.status}|${sec(e.occurred_at)}`);
    storedEvents.set(e.conversation_id, set);
  }
  const byId = new Map(tickets.map((t) => [t.conversation_id, t]));

  const lost: string[] = [];
  const mismatched: string[] = [];
  let eventsExpected = 0;
  let eventsMissing = 0;
  for (const [id, e] of expected) {
    eventsExpected += e.statusEvents.length;
    const have = storedEvents.get(id) ?? new Set<string>();
    const missingEvents = e.statusEvents.filter((x) => !have.has(`${x.partId}|${x.status}|${x.occurredAt}`)).length;
    eventsMissing += missingEvents;
    const t = byId.get(id);
    if (!t) {
      lost.push(id);
      continue;
    }
    const same =
      sec(t.created_at) === e.createdAt &&
      sec(t.updated_at) === e.updatedAt &&
      t.status === e.status &&
      t.subject === e.subject &&
      sec(t.first_responded_at) === e.firstRespondedAt &&
      t.first_response_duration === e.firstResponseDuration &&
      t.parts_truncated === e.partsTruncated &&
      missingEvents === 0 &&
      have.size === e.statusEvents.length;
    if (!same) mismatched.push(id);
  }
  const unexpectedIds = tickets.filter((t) => !expected.has(t.conversation_id) && !poison.has(t.conversation_id) && !optional.has(t.conversation_id)).map((t) => t.conversation_id);

  const oracle = new Map(expectedAll.map((e) => [e.conversationId, e]));
  const poisonedWrong: RowOutcome['lists']['poisonedWrong'] = [];
  const shouldQuarantine = new Set<string>();
  for (const [id, kind] of poison) {
    if (POISON_OUTCOME[kind] === 'quarantined') {
      shouldQuarantine.add(id);
      continue;
    }
    const t = byId.get(id);
    if (!t) {
      poisonedWrong.push({ id, kind, why: 'not stored' });
      continue;
    }
    if (kind === 'nul_subject' && t.subject !== oracle.get(id)?.subject) poisonedWrong.push({ id, kind, why: 'subject differs from the oracle once the NUL is removed' });
    if (kind === 'oversized_subject') {
      const served = servedSubjectChars.get(id) ?? 0;
      if ((t.subject_len ?? 0) >= served) poisonedWrong.push({ id, kind, why: `subject stored uncapped (${t.subject_len} characters)` });
    }
  }
  const quarantined = new Set(errors.map((r) => r.conversation_id));
  const quarantinedMissing = [...shouldQuarantine].filter((id) => !quarantined.has(id));
  const quarantinedUnexpected = [...quarantined].filter((id) => !shouldQuarantine.has(id));

  return {
    rows_expected: expected.size,
    rows_stored: tickets.filter((t) => expected.has(t.conversation_id)).length,
    rows_lost: lost.length,
    rows_duplicated: Number(dup.n),
    rows_mismatched: mismatched.length,
    rows_unexpected: unexpectedIds.length,
    status_events_expected: eventsExpected,
    status_events_missing: eventsMissing,
    status_events_duplicated: Number(dupEvents.n),
    poisoned: poison.size,
    poisoned_rows_wrong: poisonedWrong.length,
    quarantined: quarantined.size,
    quarantined_expected: shouldQuarantine.size,
    quarantined_missing: quarantinedMissing.length,
    quarantined_unexpected: quarantinedUnexpected.length,
    lists: { lost: lost.slice(0, 50), mismatched: mismatched.slice(0, 50), unexpected: unexpectedIds.slice(0, 50), quarantinedMissing, quarantinedUnexpected, poisonedWrong },
  };
}

/** Admins whose stored state differs from the simulator's (away mode and reassign). */
export async function agentMismatches(db: Db, ws: SimWorkspace, workspaceId: string): Promise<number> {
  const rows = await db.selectFrom('agent_states').select(['admin_id', 'state', 'reassign']).where('workspace_id', '=', workspaceId).execute();
  const stored = new Map(rows.map((r) => [r.admin_id, r]));
  let n = 0;
  for (const a of ws.admins()) {
    const r = stored.get(a.id);
    if (!r || r.state !== (a.away_mode_enabled ? 'away' : 'available') || r.reassign !== (a.away_mode_reassign === true)) n += 1;
  }
  return n;
}

/** Picks `perKind` conversations of each poison kind: inside the backfill range, with a subject, not truncated. */
export function choosePoison(ws: SimWorkspace, fromSec: number, toSec: number, perKind: number, pick: (n: number) => number): Map<string, PoisonKind> {
  const candidates = ws
    .expected()
    .filter((e) => e.createdAt > fromSec + 86400 && e.createdAt < toSec - 86400 && e.subject !== null && !e.partsTruncated)
    .filter((e) => (ws.conversation(e.conversationId)?.source.subject ?? '') !== '');
  const kinds: PoisonKind[] = ['nul_subject', 'oversized_subject', 'oversized_body', 'bad_timestamp', 'malformed_detail'];
  const out = new Map<string, PoisonKind>();
  for (const kind of kinds) {
    for (let i = 0; i < perKind && candidates.length > 0; i++) {
      const [e] = candidates.splice(pick(candidates.length), 1);
      if (e) out.set(e.conversationId, kind);
    }
  }
  return out;
}
