import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { verifySignature } from '../webhooks/signature';
import { handleNotification, handleUninstall, notificationSchema, type Outcome, type WebhookDeps } from '../webhooks/handler';
import { sendText } from './pages';
import type { WebhookMetrics } from '../observability/metrics';

export const WEBHOOK_PATH = '/intercom/webhooks';
export const UNINSTALL_PATH = '/intercom/uninstall';

export interface WebhookRoutesOptions extends WebhookDeps {
  clientSecret: string;
  bodyLimitBytes: number;
  metrics?: WebhookMetrics;
}

const topicKind = (topic: string): 'conversation' | 'admin' | 'other' =>
  topic.startsWith('conversation') ? 'conversation' : topic.startsWith('admin.') ? 'admin' : 'other';

const uninstallSchema = z.object({ app_id: z.string().min(1) });

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

const answer = (reply: FastifyReply, o: Outcome) => reply.code(o.status).type('application/json').send({ result: o.result });

/**
 * Intercom's webhooks and uninstall notice. The body is kept raw (the signature covers its exact
 * bytes); this plugin's parser applies only to these routes.
 */
export const webhookRoutes: FastifyPluginAsync<WebhookRoutesOptions> = async (app, o) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: o.bodyLimitBytes }, (_req, body, done) => done(null, body));

  app.post(WEBHOOK_PATH, async (req, reply) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    // Nothing is read from an unsigned body, nothing is written for it.
    if (!verifySignature(raw, req.headers['x-hub-signature'], o.clientSecret)) {
      o.metrics?.webhookRejected(req.headers['x-hub-signature'] === undefined ? 'missing_signature' : 'bad_signature');
      req.log.info({ reason: 'bad signature' }, 'webhook rejected');
      return sendText(reply, 401, 'Invalid signature.');
    }
    const parsed = notificationSchema.safeParse(parseJson(raw));
    if (!parsed.success) {
      o.metrics?.webhookRejected('malformed');
      return sendText(reply, 400, 'Not an Intercom notification_event.');
    }
    o.metrics?.webhookReceived(topicKind(parsed.data.topic));
    const outcome = await handleNotification(o, parsed.data);
    req.log.info({ topic: parsed.data.topic, workspaceId: parsed.data.app_id, result: outcome.result }, 'webhook');
    return answer(reply, outcome);
  });

  app.post(UNINSTALL_PATH, async (req, reply) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const parsed = uninstallSchema.safeParse(parseJson(raw));
    if (!parsed.success) return sendText(reply, 400, 'An uninstall notice carries app_id.');
    o.metrics?.webhookReceived('uninstall');
    const outcome = await handleUninstall(o, parsed.data.app_id);
    if (outcome.result.startsWith('not confirmed')) o.metrics?.webhookRejected('forged_uninstall');
    req.log.info({ workspaceId: parsed.data.app_id, result: outcome.result }, 'uninstall notice');
    return answer(reply, outcome);
  });
};
