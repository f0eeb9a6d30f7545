import type { ExpectedTicket, SimWorkspace } from '../../testkit/simulator';

export interface PoisonVictims {
  /** Served with NUL characters in its subject: stored, cleaned. */
  nul: ExpectedTicket;
  /** Served with a subject far over the cap: stored, capped. */
  big: ExpectedTicket;
  /** Served with a created_at no date can hold: quarantined in sync_errors. */
  late: ExpectedTicket;
}

/**
 * Poisons three of `candidates`, one of each kind: `nul` the `first`-th, `big` the middle one and `late` the
 * `fromEnd`-th from the end, so that the three are far apart in the window.
 */
export function poisonThree(ws: SimWorkspace, candidates: ExpectedTicket[], at: { first: number; fromEnd: number }): PoisonVictims {
  const nul = candidates[at.first]!;
  const big = candidates[Math.floor(candidates.length / 2)]!;
  const late = candidates[candidates.length - at.fromEnd]!;
  ws.setPoison(nul.conversationId, 'nul_subject');
  ws.setPoison(big.conversationId, 'oversized_subject');
  ws.setPoison(late.conversationId, 'bad_timestamp');
  return { nul, big, late };
}
