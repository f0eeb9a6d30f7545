import type { Config } from '../config';
import type { Db } from '../db/connection';
import { createConnectLink } from '../repositories/connectLinks';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };
const MAX_TTL_MS = 30 * 86_400_000;

/** `30m`, `24h`, `7d`; at most 30 days. */
export function parseTtl(value: string | undefined): number {
  if (value === undefined) return UNITS.h! * 24;
  const m = /^(\d{1,6})([mhd])$/.exec(value);
  if (!m) throw new Error(`--ttl: "${value}" is not a duration like 30m, 24h or 7d`);
  const ms = Number(m[1]) * UNITS[m[2]!]!;
  if (ms < 60_000 || ms > MAX_TTL_MS) throw new Error(`--ttl: must be between 1m and 30d, got ${value}`);
  return ms;
}

/**
 * `npm run cli -- connect-link [--ttl 24h] [--note text]`: a URL that lets one admin connect one
 * Intercom workspace, once, before it expires. Only the token's hash is stored; the URL is shown once.
 */
export async function connectLinkCommand(db: Db, config: Config, o: { ttl?: string; note?: string }): Promise<string> {
  const ttlMs = parseTtl(o.ttl);
  if (o.note !== undefined && o.note.length > 200) throw new Error('--note: at most 200 characters');
  const link = await createConnectLink(db, { ttlMs, note: o.note });
  const base = config.PUBLIC_URL ?? `http://${config.HTTP_HOST === '0.0.0.0' || config.HTTP_HOST === '::' ? '127.0.0.1' : config.HTTP_HOST}:${config.HTTP_PORT}`;
  return `${base}/oauth/start?link=${link.token}\n(link ${link.id}; single use; expires ${link.expiresAt.toISOString()})`;
}
