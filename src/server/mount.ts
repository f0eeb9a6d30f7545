import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Services } from '../app/services';
import type { ConnectResult } from '../app/connectWorkspace';
import { oauthRoutes } from '../oauth/routes';
import { healthRoutes } from './health';
import { consoleOptions } from '../console/settings';
import { consoleLanding, consoleRoutes } from '../console/routes';
import { metricsRoutes } from './metrics';
import { webhookRoutes } from './webhooks';
import { postgresReady, temporalReady } from './readiness';
import { startHttpServer, type HttpServer } from './listen';
import { httpLimits, trustProxy } from './settings';
import type { FastifyServerOptions } from 'fastify';

export interface MountOptions {
  config: Config;
  services: Services;
  /** The process's Temporal client: callbacks start workflows with it, /readyz asks its connection. */
  temporal: Client;
  logger?: FastifyServerOptions['logger'];
  onConnected?: (r: ConnectResult) => void;
}

/**
 * The product's HTTP endpoints, the same for `npm run server` and `npm start`: health and readiness,
 * OAuth start and callback. Later groups (webhooks, /metrics, an operator console) register here.
 */
export function startProductServer(o: MountOptions): Promise<HttpServer> {
  const { config, services } = o;
  if (!config.INTERCOM_CLIENT_ID || !config.INTERCOM_CLIENT_SECRET) {
    throw new Error('INTERCOM_CLIENT_ID and INTERCOM_CLIENT_SECRET are required for the OAuth endpoints');
  }
  const clientId = config.INTERCOM_CLIENT_ID;
  const clientSecret = config.INTERCOM_CLIENT_SECRET;
  return startHttpServer({
    host: config.HTTP_HOST,
    port: config.HTTP_PORT,
    publicUrl: config.PUBLIC_URL,
    limits: httpLimits(config),
    trustProxy: trustProxy(config),
    logger: o.logger,
    async routes(app, publicUrl) {
      const consoleOn = consoleOptions(config);
      await app.register(healthRoutes, { checks: [postgresReady(services.db), temporalReady(o.temporal.connection)] });
      if (services.metrics) await app.register(metricsRoutes, { registry: services.metrics.registry });
      await app.register(oauthRoutes, {
        connect: { db: services.db, cipher: services.cipher, http: services.http, temporal: o.temporal, taskQueue: config.TEMPORAL_TASK_QUEUE, apiBaseUrlOverride: config.INTERCOM_API_BASE_URL },
        http: services.http,
        clientId,
        clientSecret,
        publicUrl,
        appBaseUrlOverride: config.INTERCOM_APP_BASE_URL,
        apiBaseUrl: config.INTERCOM_API_BASE_URL ?? 'https://api.intercom.io',
        maxPendingStates: config.OAUTH_MAX_PENDING_STATES,
        rateLimitPerMinute: config.OAUTH_RATE_LIMIT_PER_MINUTE,
        // The console's operator starts flows with a product session it signs itself.
        productSessionSecret: config.PRODUCT_SESSION_SECRET ?? consoleOn?.sessionKey,
        onConnected: o.onConnected,
        landing: consoleOn ? consoleLanding({ sessionKey: consoleOn.sessionKey, publicUrl }) : undefined,
      });
      if (consoleOn) {
        await app.register(consoleRoutes, {
          db: services.db,
          temporal: o.temporal,
          ...consoleOn,
          productSessionSecret: config.PRODUCT_SESSION_SECRET ?? consoleOn.sessionKey,
          publicUrl,
        });
      }
      await app.register(webhookRoutes, {
        db: services.db,
        temporal: o.temporal,
        clients: services.clients,
        clientSecret,
        bodyLimitBytes: config.WEBHOOK_BODY_LIMIT_BYTES,
        metrics: services.metrics,
      });
    },
  });
}
