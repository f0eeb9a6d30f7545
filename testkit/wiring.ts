import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { createActivities, type ActivityDeps } from '../activities';
import { createTokenCipher, type TokenCipher } from '../src/crypto/tokenCipher';
import type { Database } from '../src/db/schema';
import { createIntercomHttp, type IntercomHttp } from '../src/intercom/client';
import { ClientProvider } from '../src/intercom/clientProvider';
import { PostgresRateLimiter } from '../src/ratelimit';
import { GatedRateLimiter, PostgresGate } from '../src/ratelimit/gate';
import { saveCredentials } from '../src/repositories/credentials';
import { upsertWorkspace } from '../src/repositories/workspaces';

export interface WiringOptions {
  db: Kysely<Database>;
  /** Where the Intercom client sends every request (the simulator's base URL). */
  baseUrl: string;
  cipher?: TokenCipher;
  http?: IntercomHttp;
  /** The gate's fairness window for the limiter; the product's default when absent. */
  gateWindow?: number;
  detailConcurrency?: number;
  flushRows?: number;
}

export interface Wiring {
  cipher: TokenCipher;
  http: IntercomHttp;
  gate: PostgresGate;
  limiter: GatedRateLimiter;
  clients: ClientProvider;
  deps: ActivityDeps;
}

/**
 * The one wiring of the product's parts for tests, benchmarks and the demo's siblings: the Postgres limiter behind
 * the gate, the Intercom client provider pointed at the simulator, and the activities' dependencies.
 */
export function wireDeps(o: WiringOptions): Wiring {
  const cipher = o.cipher ?? createTokenCipher(randomBytes(32).toString('base64'));
  const http = o.http ?? createIntercomHttp();
  const gate = new PostgresGate(o.db);
  const limiter = new GatedRateLimiter(gate, new PostgresRateLimiter(o.db), o.gateWindow);
  const clients = new ClientProvider({ db: o.db, cipher, limiter, http, baseUrlOverride: o.baseUrl });
  const deps: ActivityDeps = { db: o.db, clients, gate, detailConcurrency: o.detailConcurrency ?? 8, flushRows: o.flushRows ?? 50 };
  return { cipher, http, gate, limiter, clients, deps };
}

/** A connected workspace with stored credentials, and the activities wired against the simulator. */
export async function connectedActivities(o: WiringOptions & { workspaceId: string; name: string; connectedAt?: Date }): Promise<Wiring & { acts: ReturnType<typeof createActivities> }> {
  const w = wireDeps(o);
  await upsertWorkspace(o.db, { id: o.workspaceId, name: o.name, region: 'us', status: 'Connected', connectedAt: o.connectedAt ?? new Date() });
  await saveCredentials(o.db, o.workspaceId, w.cipher.encrypt(`tok-${o.workspaceId}`, o.workspaceId), w.cipher.keyId);
  return { ...w, acts: createActivities(w.deps) };
}
