import type { FastifyPluginAsync } from 'fastify';
import { sendText } from './pages';

/** One dependency /readyz asks about; `check` throws (with a readable message) when it is not reachable. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export interface HealthRoutesOptions {
  checks: ReadinessCheck[];
  /** Each check's answer must come within this, or it counts as unreachable. */
  timeoutMs?: number;
}

async function withDeadline(what: string, ms: number, p: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/healthz`: the process is alive (no dependency asked, so a database outage does not get every
 * server restarted). `/readyz`: every dependency answers; otherwise 503 naming the ones that do not,
 * so a load balancer sends no traffic here.
 */
export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, o) => {
  const timeoutMs = o.timeoutMs ?? 2_000;
  app.get('/healthz', async (_req, reply) => sendText(reply, 200, 'ok'));
  app.get('/readyz', async (req, reply) => {
    const results = await Promise.all(
      o.checks.map(async (c) => {
        try {
          await withDeadline(c.name, timeoutMs, c.check());
          return { name: c.name, ok: true, reason: null };
        } catch (err) {
          const reason = ((err as Error).message || String(err)).replace(/\s+/g, ' ').slice(0, 200);
          return { name: c.name, ok: false, reason };
        }
      }),
    );
    const down = results.filter((r) => !r.ok);
    if (down.length) {
      req.log.warn({ down }, 'not ready');
      return sendText(reply, 503, `not ready: ${down.map((d) => `${d.name} unreachable (${d.reason})`).join('; ')}`);
    }
    return sendText(reply, 200, `ready: ${results.map((r) => r.name).join(', ')}`);
  });
};
