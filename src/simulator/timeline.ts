import type { Directory } from './directory';
import type { PartRec } from './parts';
import { BODY_LISTS, BodyList, bodyCode, NO_BODY } from './parts';
import type { Rng } from './random';
import type { ConvRecord } from './record';
import type { ConvState, SimAssignee, SimAuthor } from './types';

// A conversation is built as a sequence of actions. Each action appends exactly one part and tells the oracle what
// it meant (a human admin's reply, a move to 'closed', …), so expected() never re-derives anything from part types.

export type ReopenVariant = 'open' | 'note_and_reopen' | 'assign_and_reopen';
export type UnsnoozeVariant = 'unsnoozed' | 'timer_unsnooze';
export type NoiseVariant =
  | 'participant_added'
  | 'conversation_attribute_updated_by_admin'
  | 'conversation_rating_changed'
  | 'priority_changed'
  | 'language_detection_details'
  | 'conversation_sla_applied_by_rule';

export type Action =
  | { kind: 'contact' }
  | { kind: 'human' }
  | { kind: 'ai'; as: 'bot' | 'admin' }
  | { kind: 'bot' }
  | { kind: 'note' }
  | { kind: 'assign'; by: 'admin' | 'bot' }
  | { kind: 'close'; by: 'admin' | 'bot' }
  | { kind: 'reopen'; variant: ReopenVariant }
  | { kind: 'snooze' }
  | { kind: 'unsnooze'; variant: UnsnoozeVariant }
  | { kind: 'noise'; variant: NoiseVariant };

/** The state an action leaves the conversation in, or null if it does not change state. */
export function stateAfter(action: Action): ConvState | null {
  switch (action.kind) {
    case 'close':
      return 'closed';
    case 'snooze':
      return 'snoozed';
    case 'reopen':
    case 'unsnooze':
      return 'open';
    default:
      return null;
  }
}

function body(list: BodyList, rng: Rng): number {
  return bodyCode(list, rng.int(0, BODY_LISTS[list].length - 1));
}

function pickAdmin(dir: Directory, rng: Rng): SimAuthor {
  return dir.adminAuthor(rng.int(0, dir.adminAuthors.length - 1));
}

interface PartExtras {
  body?: number;
  assignedTo?: SimAssignee | null;
  eventDetails?: Record<string, unknown>;
}

function addPart(dir: Directory, rec: ConvRecord, partType: string, author: SimAuthor, at: number, extras: PartExtras = {}): PartRec {
  const part: PartRec = {
    id: dir.nextPartId(),
    partType,
    at,
    author,
    body: extras.body ?? NO_BODY,
    state: rec.state,
    assignedTo: extras.assignedTo ?? null,
    eventDetails: extras.eventDetails ?? null,
  };
  rec.parts.push(part);
  if (author.type === 'admin') rec.acc.teammates.add(author.id);
  return part;
}

function assignee(dir: Directory, rng: Rng, rec: ConvRecord, toTeam: boolean): SimAssignee {
  if (toTeam && dir.teams.length > 0) {
    const team = rng.pick(dir.teams);
    rec.acc.teamAssigneeId = Number(team.id);
    return { type: 'team', id: team.id };
  }
  const admin = pickAdmin(dir, rng);
  rec.acc.adminAssigneeId = Number(admin.id);
  return { type: 'admin', id: admin.id };
}

function noteAssignment(rec: ConvRecord, at: number): void {
  const a = rec.acc;
  a.countAssignments += 1;
  a.firstAssignmentAt ??= at;
  a.lastAssignmentAt = at;
}

function changeState(rec: ConvRecord, part: PartRec, status: ConvState): void {
  rec.oracle.statusEvents.push({ partIndex: rec.parts.length - 1, partId: part.id, status, occurredAt: part.at });
}

/** Appends the action's part at `at` (unix seconds) and updates the record's state, statistics and oracle. */
export function applyAction(dir: Directory, rec: ConvRecord, action: Action, at: number, rng: Rng): void {
  const a = rec.acc;
  const next = stateAfter(action);
  if (next !== null) rec.state = next;
  switch (action.kind) {
    case 'contact': {
      addPart(dir, rec, 'comment', rec.contact, at, { body: body(BodyList.Contact, rng) });
      if (rec.firstContactReply === null) rec.firstContactReply = { created_at: at, type: 'conversation', url: null };
      a.firstContactReplyAt ??= at;
      a.lastContactReplyAt = at;
      a.pendingContactAt ??= at;
      a.waitingSince ??= at;
      break;
    }
    case 'human': {
      const author = pickAdmin(dir, rng);
      addPart(dir, rec, 'comment', author, at, { body: body(BodyList.Admin, rng) });
      if (rec.oracle.firstRespondedAt === null) {
        rec.oracle.firstRespondedAt = at;
        rec.oracle.firstResponder = { adminId: author.id, partIndex: rec.parts.length - 1 };
      }
      a.firstAdminReplyAt ??= at;
      a.lastAdminReplyAt = at;
      if (a.lastAssignmentAt !== null) a.lastAssignmentAdminReplyAt = at;
      if (a.pendingContactAt !== null) a.replyDurations.push(at - a.pendingContactAt);
      a.pendingContactAt = null;
      a.waitingSince = null;
      break;
    }
    case 'ai': {
      // Both shapes are seen: Fin as a bot, or an AI answer inserted under a teammate's name.
      let author = dir.aiBot;
      if (action.as === 'admin') {
        const admin = pickAdmin(dir, rng);
        const flags = rng.int(0, 2);
        author = { ...admin, from_ai_agent: flags !== 1, is_ai_answer: flags !== 2 };
      }
      addPart(dir, rec, 'comment', author, at, { body: body(BodyList.Ai, rng) });
      a.aiParticipated = true;
      break;
    }
    case 'bot':
      addPart(dir, rec, rng.chance(0.8) ? 'comment' : 'quick_reply', dir.operatorBot, at, { body: body(BodyList.Bot, rng) });
      break;
    case 'note':
      addPart(dir, rec, 'note', pickAdmin(dir, rng), at, { body: body(BodyList.Note, rng) });
      break;
    case 'assign': {
      const byAdmin = action.by === 'admin';
      const to = assignee(dir, rng, rec, !byAdmin || rng.chance(0.3));
      // An assignment can carry a message to the customer; it is still not a reply.
      const text = byAdmin && rng.chance(0.3) ? body(BodyList.Admin, rng) : NO_BODY;
      addPart(dir, rec, byAdmin ? 'assignment' : 'default_assignment', byAdmin ? pickAdmin(dir, rng) : dir.operatorBot, at, {
        body: text,
        assignedTo: to,
      });
      noteAssignment(rec, at);
      break;
    }
    case 'close': {
      const author = action.by === 'admin' ? pickAdmin(dir, rng) : dir.operatorBot;
      const text = action.by === 'admin' && rng.chance(0.2) ? body(BodyList.Admin, rng) : NO_BODY;
      const part = addPart(dir, rec, 'close', author, at, { body: text });
      changeState(rec, part, 'closed');
      a.firstCloseAt ??= at;
      a.lastCloseAt = at;
      a.lastClosedById = author.id;
      a.waitingSince = null;
      break;
    }
    case 'reopen': {
      const admin = pickAdmin(dir, rng);
      let part: PartRec;
      if (action.variant === 'note_and_reopen') {
        part = addPart(dir, rec, 'note_and_reopen', admin, at, { body: body(BodyList.Note, rng) });
      } else if (action.variant === 'assign_and_reopen') {
        part = addPart(dir, rec, 'assign_and_reopen', admin, at, { assignedTo: assignee(dir, rng, rec, rng.chance(0.5)) });
        noteAssignment(rec, at);
      } else {
        part = addPart(dir, rec, 'open', admin, at);
      }
      changeState(rec, part, 'open');
      a.countReopens += 1;
      break;
    }
    case 'snooze': {
      const part = addPart(dir, rec, 'snoozed', pickAdmin(dir, rng), at);
      changeState(rec, part, 'snoozed');
      a.snoozedUntil = at + rng.int(3600, 3 * 86400);
      break;
    }
    case 'unsnooze': {
      const part = addPart(dir, rec, action.variant, pickAdmin(dir, rng), at);
      changeState(rec, part, 'open');
      a.snoozedUntil = null;
      break;
    }
    case 'noise':
      applyNoise(dir, rec, action.variant, at, rng);
      break;
  }
}

function applyNoise(dir: Directory, rec: ConvRecord, variant: NoiseVariant, at: number, rng: Rng): void {
  switch (variant) {
    case 'participant_added': {
      const admin = pickAdmin(dir, rng);
      addPart(dir, rec, variant, admin, at, { eventDetails: { participant: { type: 'admin', id: pickAdmin(dir, rng).id } } });
      break;
    }
    case 'conversation_attribute_updated_by_admin':
      addPart(dir, rec, variant, pickAdmin(dir, rng), at, {
        eventDetails: { attribute: { name: 'Issue type' }, value: { name: rng.pick(['Bug', 'Billing', 'Question']) } },
      });
      break;
    case 'conversation_rating_changed': {
      const rating = rng.int(1, 5);
      rec.rating = {
        rating,
        remark: rng.chance(0.4) ? `Rated ${rating} by ${rec.marker}` : null,
        created_at: at,
        updated_at: at,
        contact: rec.contactRef,
        teammate: rec.acc.adminAssigneeId === null ? null : { type: 'admin', id: String(rec.acc.adminAssigneeId) },
      };
      addPart(dir, rec, variant, rec.contact, at);
      break;
    }
    case 'priority_changed':
      rec.priority = rec.priority === 'priority' ? 'not_priority' : 'priority';
      addPart(dir, rec, variant, pickAdmin(dir, rng), at);
      break;
    case 'language_detection_details':
      addPart(dir, rec, variant, dir.operatorBot, at, { eventDetails: { language: 'en' } });
      break;
    case 'conversation_sla_applied_by_rule':
      addPart(dir, rec, variant, dir.operatorBot, at, { eventDetails: { sla_name: 'First response 1h' } });
      break;
  }
}

/**
 * An admin's assignment to the given admin and/or team (null unassigns, undefined keeps). The part
 * names the new admin assignee, else the team, else nobody.
 */
export function assignTo(dir: Directory, rec: ConvRecord, to: { adminId?: string | null; teamId?: string | null }, at: number): void {
  if (to.adminId !== undefined) rec.acc.adminAssigneeId = to.adminId === null ? null : Number(to.adminId);
  if (to.teamId !== undefined) rec.acc.teamAssigneeId = to.teamId === null ? null : Number(to.teamId);
  const assigned: SimAssignee =
    to.adminId ? { type: 'admin', id: to.adminId } : to.teamId ? { type: 'team', id: to.teamId } : { type: 'nobody_admin', id: null };
  addPart(dir, rec, 'assignment', dir.adminAuthor(0), at, { assignedTo: assigned });
  noteAssignment(rec, at);
}

/** Event parts that change neither state nor reply times (attribute updates by an admin). */
export function addEventParts(dir: Directory, rec: ConvRecord, count: number, at: number, rng: Rng): void {
  for (let i = 0; i < count; i++) applyNoise(dir, rec, 'conversation_attribute_updated_by_admin', at, rng);
}
