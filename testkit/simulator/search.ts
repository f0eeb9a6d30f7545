import type { ConvRecord } from './record';
import { summaryJsonOf } from './record';
import type { WorkspaceState } from './workspace';

// POST /conversations/search: validation, evaluation and cursor pagination over a workspace's conversations.

export const MAX_PER_PAGE = 150;
export const DEFAULT_PER_PAGE = 20;
const MAX_GROUP_DEPTH = 2;
const MAX_FILTERS_PER_GROUP = 15;
const CACHED_QUERIES = 16;

type Field = 'created_at' | 'updated_at' | 'id';
type Operator = '>' | '<' | '=' | '!=' | 'IN' | 'NIN';
type Scalar = number | string;

interface Filter {
  field: Field;
  operator: Operator;
  /** Dates as unix seconds; ids as their digits. IN/NIN carry a list. */
  values: Scalar[];
}

interface Group {
  operator: 'AND' | 'OR';
  children: Query[];
}

type Query = Filter | Group;

export interface SearchRequest {
  query: Query;
  perPage: number;
  after: Cursor | null;
  /** Canonical form of the query, to key the result cache. */
  key: string;
}

interface Cursor {
  createdAt: number;
  idNum: number;
  page: number;
}

export class SearchError extends Error {}

const FIELDS = new Set<string>(['created_at', 'updated_at', 'id']);
const OPERATORS = new Set<string>(['>', '<', '=', '!=', 'IN', 'NIN']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function scalar(field: Field, v: unknown): Scalar {
  if (field === 'id') {
    if (typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v))) return String(v);
    throw new SearchError(`invalid value for id: ${JSON.stringify(v)}`);
  }
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  throw new SearchError(`${field} must be a unix timestamp in seconds, got ${JSON.stringify(v)}`);
}

function parseQuery(q: unknown, depth: number): Query {
  if (!isObject(q)) throw new SearchError('query must be an object');
  const op = q['operator'];
  if (op === 'AND' || op === 'OR') {
    if (depth >= MAX_GROUP_DEPTH) throw new SearchError(`nested filters are limited to ${MAX_GROUP_DEPTH} levels`);
    const value = q['value'];
    if (!Array.isArray(value) || value.length === 0) throw new SearchError(`${op} needs a non-empty list of filters`);
    if (value.length > MAX_FILTERS_PER_GROUP) throw new SearchError(`at most ${MAX_FILTERS_PER_GROUP} filters are allowed per ${op} group`);
    return { operator: op, children: value.map((v: unknown) => parseQuery(v, depth + 1)) };
  }
  const field = q['field'];
  if (typeof field !== 'string' || !FIELDS.has(field)) throw new SearchError(`unsupported field ${JSON.stringify(field)}`);
  if (typeof op !== 'string' || !OPERATORS.has(op)) throw new SearchError(`unsupported operator ${JSON.stringify(op)}`);
  const f = field as Field;
  const o = op as Operator;
  const raw = q['value'];
  if (o === 'IN' || o === 'NIN') {
    if (!Array.isArray(raw)) throw new SearchError(`${o} needs a list value`);
    return { field: f, operator: o, values: raw.map((v: unknown) => scalar(f, v)) };
  }
  const value = scalar(f, raw);
  if (f === 'id' && (o === '>' || o === '<') && !/^\d+$/.test(String(value))) throw new SearchError('id comparisons need a numeric id');
  return { field: f, operator: o, values: [value] };
}

export function parseSearchRequest(body: unknown): SearchRequest {
  if (!isObject(body)) throw new SearchError('the request body must be a JSON object');
  if (!('query' in body)) throw new SearchError('query is required');
  const query = parseQuery(body['query'], 0);
  const pagination = body['pagination'];
  let perPage = DEFAULT_PER_PAGE;
  let after: Cursor | null = null;
  if (pagination !== undefined && pagination !== null) {
    if (!isObject(pagination)) throw new SearchError('pagination must be an object');
    const pp = pagination['per_page'];
    if (pp !== undefined && pp !== null) {
      if (typeof pp !== 'number' || !Number.isInteger(pp) || pp < 1 || pp > MAX_PER_PAGE) {
        throw new SearchError(`per_page must be an integer between 1 and ${MAX_PER_PAGE}`);
      }
      perPage = pp;
    }
    const sa = pagination['starting_after'];
    if (sa !== undefined && sa !== null) after = decodeCursor(sa);
  }
  return { query, perPage, after, key: JSON.stringify(query) };
}

/** Opaque like Intercom's: base64 of [created_at in ms, id, page]. */
export function encodeCursor(rec: ConvRecord, page: number): string {
  return Buffer.from(JSON.stringify([rec.createdAt * 1000, rec.id, page])).toString('base64');
}

function decodeCursor(raw: unknown): Cursor {
  if (typeof raw !== 'string' || raw.length === 0 || !/^[A-Za-z0-9+/=_-]+$/.test(raw)) throw new SearchError('starting_after is invalid');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
  } catch {
    throw new SearchError('starting_after is invalid');
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw new SearchError('starting_after is invalid');
  const [ms, id, page] = parsed as unknown[];
  if (typeof ms !== 'number' || !Number.isInteger(ms) || typeof id !== 'string' || !/^\d+$/.test(id) || typeof page !== 'number' || !Number.isInteger(page) || page < 1) {
    throw new SearchError('starting_after is invalid');
  }
  return { createdAt: Math.floor(ms / 1000), idNum: Number(id), page };
}

function fieldValue(rec: ConvRecord, field: Field): number {
  return field === 'created_at' ? rec.createdAt : field === 'updated_at' ? rec.updatedAt : rec.idNum;
}

function matchFilter(rec: ConvRecord, f: Filter): boolean {
  if (f.field === 'id' && (f.operator === '=' || f.operator === '!=' || f.operator === 'IN' || f.operator === 'NIN')) {
    const hit = f.values.some((v) => v === rec.id);
    return f.operator === '=' || f.operator === 'IN' ? hit : !hit;
  }
  const actual = fieldValue(rec, f.field);
  const v = Number(f.values[0]);
  switch (f.operator) {
    // Intercom documents '>' and '<' as "greater (or equal)" and "lower (or equal)".
    case '>':
      return actual >= v;
    case '<':
      return actual <= v;
    case '=':
      return actual === v;
    case '!=':
      return actual !== v;
    case 'IN':
      return f.values.some((x) => Number(x) === actual);
    case 'NIN':
      return !f.values.some((x) => Number(x) === actual);
  }
}

function matches(rec: ConvRecord, q: Query): boolean {
  if ('field' in q) return matchFilter(rec, q);
  return q.operator === 'AND' ? q.children.every((c) => matches(rec, c)) : q.children.some((c) => matches(rec, c));
}

/**
 * Bounds on created_at implied by the query, to scan only part of the sorted index. updated_at >= created_at, so an
 * upper bound on updated_at is also one on created_at.
 */
function createdBounds(q: Query): { lo: number; hi: number } {
  const all = { lo: -Infinity, hi: Infinity };
  if ('field' in q) {
    if (q.field === 'id') return all;
    const v = Number(q.values[0]);
    if (q.field === 'created_at') {
      if (q.operator === '>') return { lo: v, hi: Infinity };
      if (q.operator === '<') return { lo: -Infinity, hi: v };
      if (q.operator === '=') return { lo: v, hi: v };
    } else if (q.operator === '<' || q.operator === '=') {
      return { lo: -Infinity, hi: v };
    }
    return all;
  }
  const parts = q.children.map(createdBounds);
  if (q.operator === 'AND') {
    return { lo: Math.max(...parts.map((p) => p.lo)), hi: Math.min(...parts.map((p) => p.hi)) };
  }
  return { lo: Math.min(...parts.map((p) => p.lo)), hi: Math.max(...parts.map((p) => p.hi)) };
}

/** First index in `sorted` whose created_at is >= t. */
function lowerBound(sorted: readonly ConvRecord[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid]?.createdAt ?? Infinity) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Matching records, newest first (created_at desc, id desc). */
function findMatches(ws: WorkspaceState, req: SearchRequest): ConvRecord[] {
  const cached = ws.searchCache.get(req.key);
  if (cached !== undefined && cached.version === ws.version) return cached.matches;
  const { lo, hi } = createdBounds(req.query);
  const sorted = ws.sorted;
  const start = lo === -Infinity ? 0 : lowerBound(sorted, lo);
  const end = hi === Infinity ? sorted.length : lowerBound(sorted, hi + 1);
  const out: ConvRecord[] = [];
  for (let i = end - 1; i >= start; i--) {
    const rec = sorted[i];
    if (rec !== undefined && matches(rec, req.query)) out.push(rec);
  }
  if (ws.searchCache.size >= CACHED_QUERIES) {
    const oldest = ws.searchCache.keys().next();
    if (oldest.done !== true) ws.searchCache.delete(oldest.value);
  }
  ws.searchCache.set(req.key, { version: ws.version, matches: out });
  return out;
}

/** Index of the first match strictly after the cursor position in newest-first order. */
function startIndex(list: readonly ConvRecord[], c: Cursor): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const m = list[mid];
    const after = m !== undefined && (m.createdAt < c.createdAt || (m.createdAt === c.createdAt && m.idNum < c.idNum));
    if (after) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export interface SearchPage {
  records: ConvRecord[];
  json: string;
}

export function runSearch(ws: WorkspaceState, req: SearchRequest): SearchPage {
  const all = findMatches(ws, req);
  const from = req.after === null ? 0 : startIndex(all, req.after);
  const page = req.after === null ? 1 : req.after.page + 1;
  const records = all.slice(from, from + req.perPage);
  const last = records[records.length - 1];
  const hasMore = from + req.perPage < all.length && last !== undefined;
  const pages = {
    type: 'pages',
    page,
    per_page: req.perPage,
    total_pages: Math.ceil(all.length / req.perPage),
    ...(hasMore ? { next: { page: page + 1, per_page: req.perPage, starting_after: encodeCursor(last, page) } } : {}),
  };
  const json = `{"type":"conversation.list","pages":${JSON.stringify(pages)},"total_count":${all.length},"conversations":[${records
    .map(summaryJsonOf)
    .join(',')}]}`;
  return { records, json };
}
