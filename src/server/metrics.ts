import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import { metricsHandler } from '../observability/metricsServer';

/** `GET /metrics`: the process's Prometheus registry (webhooks, per-workspace gauges read from Postgres). */
export const metricsRoutes: FastifyPluginAsync<{ registry: Registry }> = async (app, o) => {
  const handle = metricsHandler(o.registry);
  app.get('/metrics', async (_req, reply) => {
    const r = await handle();
    return reply.status(r.status).type(r.contentType).send(r.body);
  });
};
