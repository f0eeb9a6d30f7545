import { escapeHtml, htmlToPlain } from './html';
import type { ConvState, SimAssignee, SimAuthor, SimPart } from './types';
import { ADMIN_LINES, AI_LINES, BOT_LINES, CONTACT_LINES, NOTE_LINES } from './vocab';

// Parts are by far the most numerous objects (hundreds of thousands per benchmark workspace), so they are stored
// compactly and only turned into Intercom-shaped objects when a response or a caller needs them.

/** Message templates; a part's body is stored as an index into one of these lists. */
export const BODY_LISTS = [CONTACT_LINES, ADMIN_LINES, NOTE_LINES, BOT_LINES, AI_LINES] as const;
export const enum BodyList {
  Contact = 0,
  Admin = 1,
  Note = 2,
  Bot = 3,
  Ai = 4,
}
const LIST_STRIDE = 100;
export const NO_BODY = -1;

export interface PartRec {
  id: number;
  partType: string;
  at: number;
  /** Shared with every other part by the same author. */
  author: SimAuthor;
  /** listIndex * 100 + lineIndex, or NO_BODY. */
  body: number;
  state: ConvState;
  assignedTo: SimAssignee | null;
  eventDetails: Record<string, unknown> | null;
}

export function bodyCode(list: BodyList, line: number): number {
  return list * LIST_STRIDE + line;
}

export function renderBody(code: number, marker: string): string | null {
  if (code === NO_BODY) return null;
  const line = BODY_LISTS[Math.floor(code / LIST_STRIDE)]?.[code % LIST_STRIDE] ?? '';
  return `<p>${escapeHtml(line.replace('{m}', marker))}</p>`;
}

export function toSimPart(p: PartRec, marker: string, plaintext = false): SimPart {
  const body = renderBody(p.body, marker);
  return {
    type: 'conversation_part',
    id: String(p.id),
    part_type: p.partType,
    body: plaintext && body !== null ? htmlToPlain(body) : body,
    created_at: p.at,
    updated_at: p.at,
    notified_at: p.at,
    assigned_to: p.assignedTo,
    author: p.author,
    attachments: [],
    external_id: null,
    redacted: false,
    metadata: {},
    state: p.state,
    tags: [],
    event_details: p.eventDetails ?? {},
    app_package_code: null,
  };
}
