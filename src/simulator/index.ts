/**
 * A simulated Intercom REST API on node:http, for tests, live mode and benchmarks.
 *
 * Where Intercom's behaviour is unknown or the brief left a choice, the simulator:
 * - reports GET /me `app.region` as 'US' | 'Europe' | 'Australia' (REGION_NAMES);
 * - ignores a `sort` in search bodies (results are always created_at desc, then id desc) and limits nesting to a
 *   top-level group holding groups of filters; cursors are base64 of [created_at ms, id, page];
 * - puts rate-limit headers on every response to a valid token on a known route (401 and unknown routes carry none);
 *   stats count unknown routes under 'OTHER', and maxInWindow counts every request of a window, 429s included;
 * - answers a timed-out request with 504 `request_timeout` after timeoutMs (default 30 s) unless the client left;
 *   latency is latencyMs plus a uniform [0, jitterMs) draw; fault and jitter draws come from the seed;
 * - requires redirect_uri on GET /oauth; each code exchange issues a new token (old tokens stay valid until revoked);
 * - flips away modes only through live-mode ticks and setAway; changes the catalog and attribution (retag,
 *   reassign, hire, remove, new tag, delete, truncation) only through the SimWorkspace knobs and live mode's churn;
 * - serves GET /conversations/deleted only to Intercom-Version 2.16 or newer (else 400 intercom_version_invalid),
 *   newest deletion first; a deleted tag stays on the conversations that had it until they are retagged;
 * - returns from SimWorkspace.conversations() what GET /conversations/{id} would (at most 500 parts); allParts()
 *   has the rest. Returned objects share structure with the simulator's state: treat them as read-only.
 */
import { generateWorkspace } from './data';
import { Faults } from './faults';
import { LiveMode } from './live';
import { OAuthServer } from './oauth';
import { mixSeed, Rng } from './random';
import { RateLimiter } from './rateLimit';
import { SimServer } from './server';
import { StatsCollector } from './stats';
import { TokenRegistry } from './tokens';
import { WebhookSender, type WebhookEvent, type WebhookStats, type WebhookTarget } from './webhooks';
import type { FaultOptions, LiveChurn, SimStats, Simulator, SimulatorOptions, SimWorkspace, SimWorkspaceSpec } from './types';
import { WorkspaceState } from './workspace';

export type {
  ConvState,
  ExpectedStatusEvent,
  ExpectedTicket,
  FaultOptions,
  LiveChurn,
  PartsCountShape,
  Region,
  SimAdmin,
  SimAuthor,
  SimConversation,
  SimConversationSummary,
  SimDeletedConversation,
  SimPart,
  SimStats,
  SimTag,
  SimTeam,
  Simulator,
  SimulatorOptions,
  SimWorkspace,
  SimWorkspaceSpec,
  SimWorkspaceStats,
} from './types';
export { PART_CAP } from './workspace';
export { DEMO_CHURN, NO_CHURN } from './live';
export { REGION_NAMES } from './server';
export { BAD_TIMESTAMP_SEC, POISON_KINDS, type PoisonKind } from './poison';

export const DEFAULT_WORKSPACE: SimWorkspaceSpec = { id: 'sim-ws-1', name: 'Simulated Co', region: 'us', conversations: 200 };

function checkRate(name: string, v: number | undefined): void {
  if (v !== undefined && !(v >= 0 && v <= 1)) throw new Error(`faults.${name} must be in [0, 1], got ${v}`);
}

function checkFaults(f: Partial<FaultOptions>): void {
  checkRate('serverErrorRate', f.serverErrorRate);
  checkRate('timeoutRate', f.timeoutRate);
  checkRate('malformedRate', f.malformedRate);
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const seed = opts.seed ?? 1;
  const now = opts.now ?? Date.now;
  const specs = opts.workspaces ?? [DEFAULT_WORKSPACE];
  const windowMs = opts.windowMs ?? 10_000;
  if (!(windowMs > 0)) throw new Error('windowMs must be positive');
  checkFaults(opts.faults ?? {});

  const tokens = new TokenRegistry();
  const workspaces = new Map<string, WorkspaceState>();
  const startMs = now();
  specs.forEach((spec, index) => {
    if (workspaces.has(spec.id)) throw new Error(`duplicate workspace id ${spec.id}`);
    if ((spec.admins ?? 8) < 1) throw new Error(`workspace ${spec.id} needs at least one admin`);
    const data = generateWorkspace(spec, index, seed, startMs);
    workspaces.set(spec.id, new WorkspaceState(spec, data, seed, now, () => tokens.tokensOf(spec.id)));
    tokens.add(spec.token ?? `tok-${spec.id}`, spec.id);
  });
  const firstWorkspace = specs[0]?.id;

  const stats = new StatsCollector();
  const rate = new RateLimiter(now, windowMs, opts.ratePerMinute ?? 1000);
  const faults = new Faults(new Rng(mixSeed(seed, 0xfa)), opts.faults);
  const oauthClient = opts.oauth ?? { clientId: 'sim-client', clientSecret: 'sim-secret' };
  const webhookRng = new Rng(mixSeed(seed, 0x3b));
  const webhooks = new WebhookSender(oauthClient.clientSecret, now, () => webhookRng.float());
  // The item is built only while deliveries are on: live mode with many workspaces pays nothing otherwise.
  for (const ws of workspaces.values()) ws.onEvent = (topic, item) => webhooks.active && webhooks.emit({ workspaceId: ws.id, topic, item: item() });
  const oauth = new OAuthServer(oauthClient, now, tokens, (wanted) => {
    if (wanted === undefined) return firstWorkspace ?? null;
    if (workspaces.has(wanted)) return wanted;
    for (const ws of workspaces.values()) if (ws.name === wanted) return ws.id;
    return null;
  });
  const server = new SimServer({ workspaces, tokens, oauth, rate, stats, faults, rng: new Rng(mixSeed(seed, 0x1a)) });
  server.latencyMs = opts.latencyMs ?? 0;
  server.jitterMs = opts.jitterMs ?? 0;
  const live = new LiveMode(() => workspaces.values(), new Rng(mixSeed(seed, 0x11)));
  const baseUrl = await server.listen(opts.port ?? 0);

  const mustGet = (id: string): WorkspaceState => {
    const ws = workspaces.get(id);
    if (ws === undefined) throw new Error(`unknown workspace ${id}`);
    return ws;
  };

  return {
    baseUrl,
    async stop(): Promise<void> {
      live.stop();
      webhooks.configure({ url: null });
      await webhooks.settle();
      await server.close();
    },
    stats: (): SimStats => stats.snapshot(),
    resetStats: () => stats.reset(),
    workspace: (id: string): SimWorkspace => mustGet(id),
    setFaults(f: Partial<FaultOptions>): void {
      checkFaults(f);
      faults.set(f);
    },
    setEndpointFault: (endpoint, fault) => faults.setEndpoint(endpoint, fault),
    setLatency(latencyMs: number, jitterMs = 0): void {
      server.latencyMs = latencyMs;
      server.jitterMs = jitterMs;
    },
    setRatePerMinute: (r: number) => rate.setRatePerMinute(r),
    revokeToken(workspaceId: string): void {
      mustGet(workspaceId);
      tokens.revokeAll(workspaceId);
    },
    issueToken(workspaceId: string): string {
      mustGet(workspaceId);
      return tokens.issue(workspaceId);
    },
    startLive: (o?: { intervalMs?: number; churn?: Partial<LiveChurn> }) => live.start(o?.intervalMs, o?.churn),
    setWebhooks: (t: WebhookTarget) => webhooks.configure(t),
    webhook: (e: WebhookEvent) => webhooks.build(e),
    webhookStats: (): WebhookStats => ({ ...webhooks.stats }),
    settleWebhooks: () => webhooks.settle(),
    stopLive: () => live.stop(),
  };
}
