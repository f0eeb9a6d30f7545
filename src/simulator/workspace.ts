import { newRecord } from './conversation';
import type { WorkspaceData } from './data';
import type { Directory } from './directory';
import { htmlToPlain } from './html';
import { POISON_KINDS, poisonConversation, type Poison, type PoisonKind } from './poison';
import { toSimPart } from './parts';
import { reopenVariant, unsnoozeVariant } from './plan';
import { mixSeed, Rng } from './random';
import type { ConvRecord } from './record';
import { buildHead, compareRecords } from './record';
import type { Action } from './timeline';
import { addEventParts, applyAction, assignTo } from './timeline';
import type {
  ExpectedTicket,
  PartsCountShape,
  SimAdmin,
  SimAppliedTag,
  SimConversation,
  SimDeletedConversation,
  SimPart,
  SimTag,
  SimTeam,
  SimWorkspace,
  SimWorkspaceSpec,
} from './types';

/** Intercom returns at most this many parts, the most recent ones. */
export const PART_CAP = 500;

/** Full-conversation JSON is large, so only the most recently served ones stay cached. */
const FULL_JSON_CACHE = 2000;

export class WorkspaceState implements SimWorkspace {
  readonly id: string;
  readonly name: string;
  readonly region: string;
  readonly directory: Directory;
  /** Ascending by (created_at, id); search walks it backwards. */
  readonly sorted: ConvRecord[];
  private readonly byId = new Map<string, ConvRecord>();
  private readonly fullJson = new Map<string, string>();
  private readonly rng: Rng;
  /** Bumped on every change so cached search results can tell they are stale. */
  version = 0;
  readonly searchCache = new Map<string, { version: number; matches: ConvRecord[] }>();

  /** Told of every change, as the webhook topic Intercom would send and its item (see webhooks.ts). */
  onEvent: ((topic: string, item: () => unknown) => void) | null = null;

  constructor(
    readonly spec: SimWorkspaceSpec,
    data: WorkspaceData,
    seed: number,
    private readonly now: () => number,
    private readonly tokenList: () => string[],
  ) {
    this.id = spec.id;
    this.name = spec.name;
    this.region = spec.region;
    this.directory = data.directory;
    this.sorted = data.records;
    for (const r of data.records) this.byId.set(r.id, r);
    this.rng = new Rng(mixSeed(seed, data.directory.index, 0x1f));
  }

  record(id: string): ConvRecord | undefined {
    return this.byId.get(id);
  }

  get size(): number {
    return this.sorted.length;
  }

  private readonly broken = new Set<string>();

  /** Makes GET /conversations/{id} answer with a body that breaks the contract (no created_at), every time. */
  setMalformed(id: string, malformed: boolean): void {
    this.mustGet(id);
    if (malformed) this.broken.add(id);
    else this.broken.delete(id);
  }

  /** How total_count is reported for conversations beyond the part cap. */
  partsCountShape: PartsCountShape = 'all';
  /** Whether GET /conversations/deleted exists for this workspace. */
  deletedListingAvailable = true;
  private readonly deleted: SimDeletedConversation[] = [];
  /** Deleted but still listed by search (searchLagMs). */
  private readonly lingering = new Set<string>();

  private readonly trickling = new Map<string, number>();

  /** Makes GET /conversations/{id} send its headers at once, then its body one byte every `everyMs` (0 undoes it). */
  setTrickle(id: string, everyMs: number): void {
    this.mustGet(id);
    if (everyMs > 0) this.trickling.set(id, everyMs);
    else this.trickling.delete(id);
  }

  trickleMs(id: string): number | undefined {
    return this.trickling.get(id);
  }

  /** The JSON body of GET /conversations/{id}. */
  conversationJson(rec: ConvRecord, plaintext: boolean): string {
    if (this.broken.has(rec.id)) {
      const { created_at: _dropped, ...rest } = toConversation(rec, plaintext, this.partsCountShape);
      return JSON.stringify(rest);
    }
    const poison = this.poison.get(rec.id);
    if (poison !== undefined) return JSON.stringify(poisonConversation(toConversation(rec, plaintext), poison));
    const key = plaintext ? `p${rec.id}` : rec.id;
    let json = this.fullJson.get(key);
    if (json === undefined) {
      json = JSON.stringify(toConversation(rec, plaintext, this.partsCountShape));
      if (this.fullJson.size >= FULL_JSON_CACHE) {
        const oldest = this.fullJson.keys().next();
        if (oldest.done !== true) this.fullJson.delete(oldest.value);
      }
    } else {
      this.fullJson.delete(key); // re-insert to keep the map in least-recently-used order
    }
    this.fullJson.set(key, json);
    return json;
  }

  conversations(): SimConversation[] {
    return this.sorted.filter((r) => !this.lingering.has(r.id)).map((r) => toConversation(r, false, this.partsCountShape));
  }

  conversation(id: string): SimConversation | undefined {
    const rec = this.byId.get(id);
    return rec === undefined ? undefined : toConversation(rec, false, this.partsCountShape);
  }

  allParts(id: string): SimPart[] {
    const rec = this.mustGet(id);
    return rec.parts.map((p) => toSimPart(p, rec.marker));
  }

  expected(): ExpectedTicket[] {
    const out: ExpectedTicket[] = [];
    for (const rec of this.sorted) {
      if (rec.oracle.ignored || this.lingering.has(rec.id)) continue;
      const first = rec.oracle.firstRespondedAt;
      const cut = rec.parts.length - PART_CAP;
      out.push({
        conversationId: rec.id,
        createdAt: rec.createdAt,
        updatedAt: rec.updatedAt,
        subject: rec.oracle.subject,
        status: rec.state,
        firstRespondedAt: first,
        firstResponseDuration: first === null ? null : first - rec.createdAt,
        statusEvents: rec.oracle.statusEvents
          .filter((e) => e.partIndex >= cut)
          .map((e) => ({ partId: String(e.partId), status: e.status, occurredAt: e.occurredAt })),
        partsTruncated: rec.parts.length > PART_CAP,
        assigneeAdminId: rec.acc.adminAssigneeId === null ? null : String(rec.acc.adminAssigneeId),
        teamId: rec.acc.teamAssigneeId === null ? null : String(rec.acc.teamAssigneeId),
        tagIds: [...new Set(rec.tags.map((t) => t.id))].sort(),
        firstResponderAdminId: rec.oracle.firstResponder !== null && rec.oracle.firstResponder.partIndex >= cut ? rec.oracle.firstResponder.adminId : null,
        sourceType: rec.source.type,
        deliveredAs: rec.source.delivered_as,
        priority: rec.priority,
      });
    }
    return out;
  }

  admins(): SimAdmin[] {
    return this.directory.admins.map((a) => ({ ...a, team_ids: [...a.team_ids] }));
  }

  teams(): SimTeam[] {
    return this.directory.teams;
  }

  tags(): SimTag[] {
    return this.directory.tags;
  }

  tokens(): string[] {
    return this.tokenList();
  }

  piiMarkers(): string[] {
    return this.sorted.map((r) => r.marker);
  }

  private readonly poison = new Map<string, Poison>();
  private poisonRate = 0;

  /** Poisons GET /conversations/{id} with `kind` (see poison.ts), every time, until set to null. */
  setPoison(id: string, kind: PoisonKind | null, opts: { oversizedChars?: number } = {}): void {
    this.mustGet(id);
    if (kind === null) this.poison.delete(id);
    else this.poison.set(id, { kind, ...opts });
  }

  /** Poisons each conversation created from now on (live mode's too) with this probability, of a random kind. */
  setPoisonRate(rate: number): void {
    if (!(rate >= 0 && rate <= 1)) throw new Error(`poison rate must be in [0, 1], got ${rate}`);
    this.poisonRate = rate;
  }

  /** Every poisoned conversation and its kind. */
  poisoned(): Map<string, PoisonKind> {
    return new Map([...this.poison].map(([id, p]) => [id, p.kind]));
  }

  createConversation(atMs?: number): SimConversation {
    const nowSec = Math.floor(this.now() / 1000);
    const at = atMs === undefined ? nowSec : Math.floor(atMs / 1000);
    const rec = newRecord(this.directory, this.rng, at, 'customer');
    if (this.rng.chance(0.5)) applyAction(this.directory, rec, { kind: 'bot' }, at, this.rng);
    if (this.rng.chance(0.5)) applyAction(this.directory, rec, { kind: 'assign', by: 'bot' }, at, this.rng);
    rec.updatedAt = Math.max(at, nowSec);
    this.insert(rec);
    if (this.poisonRate > 0 && this.rng.chance(this.poisonRate)) this.setPoison(rec.id, POISON_KINDS[this.rng.int(0, POISON_KINDS.length - 1)] ?? 'nul_subject');
    const conversation = toConversation(rec);
    this.onEvent?.('conversation.user.created', () => toConversation(rec, true));
    return conversation;
  }

  updateConversation(id: string, atMs?: number): void {
    const rec = this.mustGet(id);
    const at = Math.floor((atMs ?? this.now()) / 1000);
    const actions: Action[] = [];
    const wasClosed = rec.state === 'closed';
    if (rec.state === 'closed') {
      actions.push({ kind: 'reopen', variant: reopenVariant(this.rng) }, { kind: 'human' });
    } else {
      if (rec.state === 'snoozed') actions.push({ kind: 'unsnooze', variant: unsnoozeVariant(this.rng) });
      actions.push({ kind: 'human' }, { kind: 'close', by: 'admin' });
    }
    for (const a of actions) applyAction(this.directory, rec, a, at, this.rng);
    rec.updatedAt = Math.max(rec.updatedAt, at);
    this.changed(rec);
    const topic = rec.state === 'closed' ? 'conversation.admin.closed' : wasClosed ? 'conversation.admin.opened' : 'conversation.admin.replied';
    this.onEvent?.(topic, () => toConversation(rec, true));
  }

  setAway(adminId: string, away: boolean, reassign?: boolean): void {
    const admin = this.directory.admins.find((a) => a.id === adminId);
    if (admin === undefined) throw new Error(`workspace ${this.id} has no admin ${adminId}`);
    admin.away_mode_enabled = away;
    if (reassign !== undefined) admin.away_mode_reassign = reassign;
    this.onEvent?.('admin.away_mode_updated', () => ({ ...admin, team_ids: [...admin.team_ids] }));
  }

  retag(id: string, tagIds: string[], atMs?: number): void {
    const rec = this.mustGet(id);
    const at = this.secondsAt(atMs);
    const by = { type: 'admin' as const, id: this.directory.adminAuthor(0).id };
    rec.tags = [...new Set(tagIds)].map((tagId): SimAppliedTag => {
      const tag = this.directory.mustTag(tagId);
      return rec.tags.find((t) => t.id === tagId) ?? { type: 'tag', id: tag.id, name: tag.name, applied_at: at, applied_by: by };
    });
    rec.updatedAt = Math.max(rec.updatedAt, at);
    this.changed(rec);
  }

  reassign(id: string, to: { adminId?: string | null; teamId?: string | null }, atMs?: number): void {
    const rec = this.mustGet(id);
    if (to.adminId) this.mustAdmin(to.adminId);
    if (to.teamId) this.directory.mustTeam(to.teamId);
    const at = this.secondsAt(atMs);
    assignTo(this.directory, rec, to, at);
    rec.updatedAt = Math.max(rec.updatedAt, at);
    this.changed(rec);
  }

  hireAdmin(opts: { name?: string; teamIds?: string[] } = {}): SimAdmin {
    const admin = this.directory.addAdmin(opts.name ?? `New Hire ${this.directory.admins.length + 1}`, opts.teamIds ?? []);
    return { ...admin, team_ids: [...admin.team_ids] };
  }

  removeAdmin(adminId: string): void {
    this.directory.removeAdmin(adminId);
  }

  createTag(name?: string): SimTag {
    return { ...this.directory.addTag(name ?? `queue-${this.directory.tags.length + 1}`) };
  }

  deleteTag(tagId: string): void {
    this.directory.removeTag(tagId);
  }

  createTeam(name?: string): SimTeam {
    return { ...this.directory.addTeam(name ?? `Team ${this.directory.teams.length + 1}`) };
  }

  deleteConversation(id: string, atMs?: number, opts: { searchLagMs?: number } = {}): void {
    const rec = this.mustGet(id);
    const unlist = (): void => {
      const i = this.sorted.indexOf(rec);
      if (i >= 0) this.sorted.splice(i, 1);
      this.version += 1;
    };
    // Intercom's search index lags: a just-deleted conversation can still be listed while its detail is a 404.
    if (opts.searchLagMs !== undefined && opts.searchLagMs > 0) {
      this.lingering.add(id);
      setTimeout(() => {
        this.lingering.delete(id);
        unlist();
      }, opts.searchLagMs).unref();
    } else {
      unlist();
    }
    this.byId.delete(id);
    this.broken.delete(id);
    this.fullJson.delete(id);
    this.fullJson.delete(`p${id}`);
    this.deleted.push({ type: 'conversation', id, deleted_at: this.secondsAt(atMs), metrics_retained: true });
    this.version += 1;
    // *.deleted topics carry only identifiers.
    this.onEvent?.('conversation.deleted', () => ({ type: 'conversation', id }));
  }

  addParts(id: string, count: number, atMs?: number): void {
    const rec = this.mustGet(id);
    const at = this.secondsAt(atMs);
    addEventParts(this.directory, rec, count, at, this.rng);
    rec.updatedAt = Math.max(rec.updatedAt, at);
    this.changed(rec);
  }

  setPartsCountShape(shape: PartsCountShape): void {
    this.partsCountShape = shape;
    this.fullJson.clear();
  }

  setDeletedListingAvailable(available: boolean): void {
    this.deletedListingAvailable = available;
  }

  /** Every deletion, newest first (then by id). */
  deletedConversations(): SimDeletedConversation[] {
    return [...this.deleted].sort((a, b) => b.deleted_at - a.deleted_at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }

  private secondsAt(atMs: number | undefined): number {
    return Math.floor((atMs ?? this.now()) / 1000);
  }

  private mustAdmin(adminId: string): SimAdmin {
    const admin = this.directory.admins.find((a) => a.id === adminId);
    if (admin === undefined) throw new Error(`workspace ${this.id} has no admin ${adminId}`);
    return admin;
  }

  /** Picks a conversation for live updates (never one deleted but still listed by search). */
  randomConversationId(rng: Rng): string | undefined {
    const id = this.sorted.length === 0 ? undefined : this.sorted[rng.int(0, this.sorted.length - 1)]?.id;
    return id !== undefined && this.lingering.has(id) ? undefined : id;
  }

  private mustGet(id: string): ConvRecord {
    const rec = this.byId.get(id);
    if (rec === undefined) throw new Error(`workspace ${this.id} has no conversation ${id}`);
    return rec;
  }

  private insert(rec: ConvRecord): void {
    // Binary search: new conversations are usually the newest, but atMs may place one anywhere.
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.sorted[mid];
      if (m !== undefined && compareRecords(m, rec) < 0) lo = mid + 1;
      else hi = mid;
    }
    this.sorted.splice(lo, 0, rec);
    this.byId.set(rec.id, rec);
    this.version += 1;
  }

  private changed(rec: ConvRecord): void {
    rec.summaryJson = null;
    this.fullJson.delete(rec.id);
    this.fullJson.delete(`p${rec.id}`);
    this.version += 1;
  }
}

export function toConversation(rec: ConvRecord, plaintext = false, shape: PartsCountShape = 'all'): SimConversation {
  const head = buildHead(rec);
  const shown = rec.parts.length > PART_CAP ? rec.parts.slice(-PART_CAP) : rec.parts;
  if (plaintext) {
    head.source = { ...head.source, subject: htmlToPlain(head.source.subject), body: htmlToPlain(head.source.body) };
  }
  return {
    ...head,
    conversation_parts: {
      type: 'conversation_part.list',
      conversation_parts: shown.map((p) => toSimPart(p, rec.marker, plaintext)),
      total_count: shape === 'returned' ? shown.length : rec.parts.length,
    },
  };
}
