import type { Simulator, SimPart } from '../../testkit/simulator';

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export async function call(
  sim: Simulator,
  path: string,
  opts: { method?: string; token?: string | null; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  const token = opts.token === undefined ? 'tok-sim-ws-1' : opts.token;
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(sim.baseUrl + path, {
    method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    redirect: 'manual',
    signal: opts.signal,
  });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    // left undefined: some tests expect broken bodies
  }
  return { status: res.status, headers: res.headers, text, json };
}

export function search(sim: Simulator, query: unknown, pagination?: unknown, token?: string): Promise<ApiResponse> {
  return call(sim, '/conversations/search', { body: pagination === undefined ? { query } : { query, pagination }, token });
}

/** Fixed clock in the middle of a 10-second window, so no test straddles a window boundary by accident. */
export const FIXED_NOW = Date.UTC(2026, 0, 15, 12, 0, 3, 500);

/**
 * The sync's mapping of part types to statuses (the seed document's table), written out again on purpose: data.test.ts
 * checks the simulator, the oracle of every sync test, against the specification, not against the code under test.
 * Read from src/mapping/statusEvents.ts, a wrong entry there would fail as a simulator bug, and bringing the
 * simulator in line would make the oracle agree with the bug.
 */
export const STATUS_BY_PART_TYPE: Record<string, 'open' | 'closed' | 'snoozed'> = {
  snoozed: 'snoozed',
  close: 'closed',
  unsnoozed: 'open',
  note_and_reopen: 'open',
  timer_unsnooze: 'open',
  open: 'open',
  assign_and_reopen: 'open',
};

export function isHumanAdminComment(p: SimPart): boolean {
  return p.part_type === 'comment' && p.author.type === 'admin' && !p.author.is_ai_answer && !p.author.from_ai_agent;
}

export function htmlToText(html: string): string {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_m, e: string) => entities[e] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}

export function errorCode(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const errors = (json as { errors?: Array<{ code?: string }> }).errors;
  return errors?.[0]?.code;
}
