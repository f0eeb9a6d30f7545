import type { Directory } from './directory';
import { escapeHtml, subjectToHtml } from './html';
import type { Profile } from './plan';
import { planConversation, schedule } from './plan';
import type { Rng } from './random';
import type { ConvRecord } from './record';
import { newAccumulators } from './record';
import { applyAction } from './timeline';
import type { SimAppliedTag, SimAuthor, SimSource } from './types';
import { ADMIN_LINES, CONTACT_LINES, EMPTY_HTML_SUBJECTS, FIRST_NAMES, LAST_NAMES, RAW_SUBJECTS, SPECIAL_SUBJECTS, TITLES } from './vocab';

interface SubjectChoice {
  subject: string;
  title: string | null;
  expected: string | null;
}

/** Decides source.subject and title together with the subject the sync must store (the oracle). */
function chooseSubject(rng: Rng): SubjectChoice {
  const r = rng.float();
  if (r < 0.6) {
    const html = rng.chance(0.4);
    const plain = html && rng.chance(0.4) ? rng.pick(SPECIAL_SUBJECTS) : rng.pick(RAW_SUBJECTS);
    const title = rng.chance(0.15) ? rng.pick(TITLES) : null;
    return { subject: html ? subjectToHtml(plain, rng) : plain, title, expected: plain };
  }
  const title = rng.chance(0.5) ? rng.pick(TITLES) : null;
  // A subject that is only markup has no text, so the title wins.
  const subject = r < 0.64 ? rng.pick(EMPTY_HTML_SUBJECTS) : '';
  return { subject, title, expected: title };
}

/** A record with its source message and no parts yet. */
export function newRecord(dir: Directory, rng: Rng, createdAt: number, kind: Profile['kind']): ConvRecord {
  const idNum = dir.nextConversationId(rng);
  const id = String(idNum);
  const marker = `PII-MARKER-${id}`;
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  const contactId = rng.hex(24);
  const contact: SimAuthor = {
    type: rng.chance(0.8) ? 'user' : 'lead',
    id: contactId,
    name: `${first} ${last} ${marker}`,
    email: `${first.toLowerCase()}.${marker}@example.net`,
    from_ai_agent: false,
    is_ai_answer: false,
  };
  const customer = kind !== 'ignored' && kind !== 'outbound_reply';
  const subject = chooseSubject(rng);
  const source: SimSource = {
    type: rng.chance(customer ? 0.2 : 0.5) ? 'email' : 'conversation',
    id: dir.nextSourceId(),
    delivered_as: customer ? 'customer_initiated' : rng.pick(['operator_initiated', 'automated', 'campaigns_initiated'] as const),
    subject: subject.subject,
    body: `<p>${escapeHtml(rng.pick(customer ? CONTACT_LINES : ADMIN_LINES).replace('{m}', marker))}</p>`,
    author: customer ? contact : rng.chance(0.3) ? dir.operatorBot : dir.adminAuthor(rng.int(0, 1_000)),
    attachments: [],
    url: null,
    redacted: false,
  };
  const tags: SimAppliedTag[] = [];
  if (dir.tags.length > 0 && rng.chance(0.4)) {
    const tag = rng.pick(dir.tags);
    tags.push({ type: 'tag', id: tag.id, name: tag.name, applied_at: createdAt, applied_by: { type: 'admin', id: dir.adminAuthor(0).id } });
  }
  const acc = newAccumulators();
  if (customer) {
    acc.firstContactReplyAt = createdAt;
    acc.lastContactReplyAt = createdAt;
    acc.pendingContactAt = createdAt;
    acc.waitingSince = createdAt;
  }
  return {
    id,
    idNum,
    createdAt,
    updatedAt: createdAt,
    state: 'open',
    marker,
    contact,
    contactRef: { type: 'contact', id: contactId, external_id: contact.type === 'user' ? `ext-${contactId.slice(0, 8)}` : null },
    source,
    title: subject.title,
    firstContactReply: customer ? { created_at: createdAt, type: source.type === 'email' ? 'email' : 'conversation', url: null } : null,
    tags,
    priority: rng.chance(0.1) ? 'priority' : 'not_priority',
    rating: null,
    parts: [],
    acc,
    oracle: { ignored: kind === 'ignored', subject: subject.expected, firstRespondedAt: null, firstResponder: null, statusEvents: [] },
    summaryJson: null,
  };
}

/** A historical conversation created at `createdAt`, all of whose parts happened no later than `latest`. */
export function generateConversation(dir: Directory, rng: Rng, createdAt: number, latest: number, profile: Profile): ConvRecord {
  const rec = newRecord(dir, rng, createdAt, profile.kind);
  const planned = planConversation(rng, profile);
  const times = schedule(planned, createdAt, latest);
  planned.forEach((p, i) => applyAction(dir, rec, p.action, times[i] ?? createdAt, rng));
  rec.updatedAt = Math.max(createdAt, rec.parts[rec.parts.length - 1]?.at ?? createdAt);
  return rec;
}
