import type { Rng } from './random';
import type { Action, NoiseVariant } from './timeline';
import { stateAfter } from './timeline';
import type { ConvState } from './types';

export type ConversationKind = 'customer' | 'outbound_reply' | 'ignored';

export interface Profile {
  kind: ConversationKind;
  /** No human admin ever replies. */
  noReply: boolean;
  /** An AI/bot answer precedes the first human reply. */
  aiFirst: boolean;
  /** A note or an admin assignment precedes the first human reply. */
  noteFirst: boolean;
  /** Number of parts wanted for a conversation past the 500-part cap, or 0. */
  hugeParts: number;
}

export interface Planned {
  action: Action;
  /** Seconds since the previous action, before the timeline is squeezed to fit before "now". */
  gap: number;
}

const NOISE: readonly NoiseVariant[] = [
  'participant_added',
  'conversation_attribute_updated_by_admin',
  'conversation_rating_changed',
  'priority_changed',
  'language_detection_details',
  'conversation_sla_applied_by_rule',
];

const FINAL_STATE: ReadonlyArray<readonly [ConvState, number]> = [['closed', 0.6], ['open', 0.3], ['snoozed', 0.1]];
const REOPEN: ReadonlyArray<readonly ['open' | 'note_and_reopen' | 'assign_and_reopen', number]> = [['open', 0.5], ['note_and_reopen', 0.3], ['assign_and_reopen', 0.2]];
const WHEN_CLOSED = [['reopen', 0.4], ['noise', 0.4], ['note', 0.2]] as const;
const WHEN_SNOOZED = [['unsnooze', 0.5], ['close', 0.2], ['note', 0.15], ['noise', 0.15]] as const;
type OpenChoice = 'contact' | 'human' | 'note' | 'assign' | 'ai' | 'noise' | 'close' | 'snooze';
const OPEN_WEIGHTS: ReadonlyArray<readonly [OpenChoice, number]> = [
  ['contact', 0.3], ['human', 0.25], ['note', 0.08], ['assign', 0.05], ['ai', 0.04], ['noise', 0.1], ['close', 0.12], ['snooze', 0.04],
];
const OPEN_WEIGHTS_NO_REPLY = OPEN_WEIGHTS.map(([k, w]) => [k, k === 'human' ? 0 : w] as const);

function gapFor(action: Action, rng: Rng): number {
  switch (action.kind) {
    case 'contact':
      return rng.logUniform(30, 7200);
    case 'human':
      return rng.logUniform(60, 36_000);
    case 'ai':
      return rng.logUniform(2, 30);
    case 'bot':
      return rng.logUniform(1, 5);
    case 'note':
      return rng.logUniform(10, 3600);
    case 'assign':
      return rng.logUniform(1, 600);
    case 'close':
      return rng.logUniform(60, 172_800);
    case 'reopen':
      return rng.logUniform(600, 604_800);
    case 'snooze':
      return rng.logUniform(30, 3600);
    case 'unsnooze':
      return rng.logUniform(3600, 259_200);
    case 'noise':
      return rng.logUniform(1, 3600);
  }
}

/** Plans the parts of a historical conversation as a small state machine over open/closed/snoozed. */
export function planConversation(rng: Rng, p: Profile): Planned[] {
  const out: Planned[] = [];
  let state = 'open' as ConvState; // widened: `push` reassigns it
  const huge = p.hugeParts > 0;
  const push = (action: Action): void => {
    const gap = gapFor(action, rng) * (huge ? 0.05 : 1);
    out.push({ action, gap });
    state = stateAfter(action) ?? state;
  };

  if (p.kind === 'ignored') {
    // Outbound messages nobody answered: maybe a follow-up, maybe closed.
    if (rng.chance(0.4)) push({ kind: 'human' });
    if (rng.chance(0.2)) push({ kind: 'bot' });
    if (rng.chance(0.5)) push({ kind: 'close', by: rng.chance(0.5) ? 'admin' : 'bot' });
    return out;
  }
  if (p.kind === 'outbound_reply') push({ kind: 'contact' });
  if (rng.chance(0.4)) push({ kind: 'bot' });
  if (rng.chance(0.4)) push({ kind: 'assign', by: 'bot' });
  if (p.aiFirst) {
    push({ kind: 'ai', as: rng.chance(0.5) ? 'bot' : 'admin' });
    if (rng.chance(0.5)) push({ kind: 'contact' });
    if (rng.chance(0.3)) push({ kind: 'ai', as: rng.chance(0.5) ? 'bot' : 'admin' });
  }
  if (p.noteFirst) {
    push(rng.chance(0.5) ? { kind: 'note' } : { kind: 'assign', by: 'admin' });
    if (rng.chance(0.3)) push({ kind: 'note' });
  }
  if (rng.chance(0.3)) push({ kind: 'contact' });
  if (!p.noReply) push({ kind: 'human' });

  const steps = huge ? Math.max(0, p.hugeParts - out.length - 2) : rng.int(0, 8);
  for (let i = 0; i < steps; i++) push(nextAction(rng, state, p.noReply));

  const target = rng.weighted(FINAL_STATE);
  if (state !== target) {
    if (state === 'closed') push({ kind: 'reopen', variant: reopenVariant(rng) });
    if (target === 'closed') push({ kind: 'close', by: p.noReply && rng.chance(0.5) ? 'bot' : 'admin' });
    else if (target === 'snoozed' && state !== 'snoozed') push({ kind: 'snooze' });
    else if (target === 'open' && state === 'snoozed') push({ kind: 'unsnooze', variant: unsnoozeVariant(rng) });
  }
  return out;
}

export function reopenVariant(rng: Rng): 'open' | 'note_and_reopen' | 'assign_and_reopen' {
  return rng.weighted(REOPEN);
}

export function unsnoozeVariant(rng: Rng): 'unsnoozed' | 'timer_unsnooze' {
  return rng.chance(0.5) ? 'unsnoozed' : 'timer_unsnooze';
}

function nextAction(rng: Rng, state: ConvState, noReply: boolean): Action {
  if (state === 'closed') {
    const k = rng.weighted(WHEN_CLOSED);
    if (k === 'reopen') return { kind: 'reopen', variant: reopenVariant(rng) };
    if (k === 'noise') return { kind: 'noise', variant: rng.pick(NOISE) };
    return { kind: 'note' };
  }
  if (state === 'snoozed') {
    const k = rng.weighted(WHEN_SNOOZED);
    if (k === 'unsnooze') return { kind: 'unsnooze', variant: unsnoozeVariant(rng) };
    if (k === 'close') return { kind: 'close', by: 'admin' };
    if (k === 'noise') return { kind: 'noise', variant: rng.pick(NOISE) };
    return { kind: 'note' };
  }
  const k = rng.weighted(noReply ? OPEN_WEIGHTS_NO_REPLY : OPEN_WEIGHTS);
  switch (k) {
    case 'assign':
      return { kind: 'assign', by: rng.chance(0.7) ? 'admin' : 'bot' };
    case 'ai':
      return { kind: 'ai', as: rng.chance(0.5) ? 'bot' : 'admin' };
    case 'noise':
      return { kind: 'noise', variant: rng.pick(NOISE) };
    case 'close':
      return { kind: 'close', by: rng.chance(0.8) ? 'admin' : 'bot' };
    default:
      return { kind: k };
  }
}

/**
 * Turns gaps into absolute times that end no later than `latest`, squeezing the whole timeline proportionally when
 * the conversation is too recent for its natural length.
 */
export function schedule(planned: readonly Planned[], createdAt: number, latest: number): number[] {
  let total = 0;
  for (const p of planned) total += p.gap;
  const room = Math.max(0, latest - createdAt);
  const scale = total > room ? room / total : 1;
  const times: number[] = [];
  let cum = 0;
  for (const p of planned) {
    cum += p.gap;
    times.push(createdAt + Math.floor(cum * scale));
  }
  return times;
}
