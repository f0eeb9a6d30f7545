import { Writable } from 'node:stream';
import { healthRoutes, type ReadinessCheck } from '../../src/server/health';
import { DEFAULT_LIMITS, type HttpLimits } from '../../src/server/limits';
import { startHttpServer, type HttpServer } from '../../src/server/listen';
import { oauthRoutes, type OAuthRoutesOptions } from '../../src/oauth/routes';
import { postgresReady, temporalReady } from '../../src/server/readiness';
import { createConnectLink } from '../../src/repositories/connectLinks';
import type { Stack } from '../helpers/stack';
import { consoleLanding, consoleRoutes } from '../../src/console/routes';
import { consoleOptions } from '../../src/console/settings';

export interface TestServer extends HttpServer {
  /** A fresh connect link's token (what `npm run cli -- connect-link` hands out). */
  link(ttlMs?: number): Promise<string>;
  /** The server's JSON log lines so far. */
  logs(): Array<Record<string, unknown>>;
}

export interface TestServerOptions {
  limits?: Partial<HttpLimits>;
  oauth?: Partial<Pick<OAuthRoutesOptions, 'maxPendingStates' | 'rateLimitPerMinute' | 'productSessionSecret' | 'stateTtlMs'>>;
  checks?: ReadinessCheck[];
  /** Turns the operator console on with this CONSOLE_TOKEN (as src/server/mount.ts does). */
  consoleToken?: string;
}

/** The production app (limits, headers, health, OAuth) on a real port, wired to the stack's Postgres, Temporal and simulator. */
export async function startTestServer(stack: Stack, o: TestServerOptions = {}): Promise<TestServer> {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const consoleOn = o.consoleToken ? consoleOptions({ CONSOLE_TOKEN: o.consoleToken }) : null;
  const server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    limits: { ...DEFAULT_LIMITS, ...o.limits },
    logger: { level: 'info', stream },
    async routes(app, publicUrl) {
      await app.register(healthRoutes, { checks: o.checks ?? [postgresReady(stack.t.db), temporalReady(stack.env.client.connection)] });
      await app.register(oauthRoutes, {
        connect: stack.connectDeps,
        http: stack.http,
        clientId: 'sim-client',
        clientSecret: 'sim-secret',
        publicUrl,
        appBaseUrlOverride: stack.sim.baseUrl,
        apiBaseUrl: stack.sim.baseUrl,
        maxPendingStates: 1_000,
        rateLimitPerMinute: 1_000,
        ...o.oauth,
        ...(consoleOn ? { productSessionSecret: consoleOn.sessionKey, landing: consoleLanding({ sessionKey: consoleOn.sessionKey, publicUrl }) } : {}),
      });
      if (consoleOn) {
        await app.register(consoleRoutes, { db: stack.t.db, temporal: stack.env.client, ...consoleOn, productSessionSecret: consoleOn.sessionKey, publicUrl });
      }
    },
  });
  return {
    ...server,
    link: async (ttlMs = 60_000) => (await createConnectLink(stack.t.db, { ttlMs })).token,
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
