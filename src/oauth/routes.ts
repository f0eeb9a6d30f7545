import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { appBaseUrl, exchangeOAuthCode, type IntercomHttp } from '../intercom/client';
import { connectWorkspace, type ConnectDeps, type ConnectResult } from '../app/connectWorkspace';
import { consumeConnectLink, isWellFormedLinkToken } from '../repositories/connectLinks';
import { claimOAuthState, createOAuthState, isWellFormedState, TooManyPendingStatesError } from '../repositories/oauthStates';
import { clearedStateCookie, cookieValue, sameSecret, STATE_COOKIE, stateCookie } from './cookies';
import { PRODUCT_SESSION_COOKIE, verifyProductSession } from './productSession';
import { genericFailure, sendText } from '../server/pages';
import * as msg from './messages';

export const CALLBACK_PATH = '/oauth/callback';

export interface OAuthRoutesOptions {
  connect: ConnectDeps;
  http: IntercomHttp;
  clientId: string;
  clientSecret: string;
  /** Where Intercom sends the admin back (PUBLIC_URL, or the listening address); read per request. */
  publicUrl: () => string;
  appBaseUrlOverride?: string;
  apiBaseUrl: string;
  stateTtlMs?: number;
  /** Outstanding OAuth states allowed at once, over every server process (they share Postgres). */
  maxPendingStates: number;
  /** Requests to /oauth/* per client address per minute, counted in this process. */
  rateLimitPerMinute: number;
  /** When set, a signed product session (productSession.ts) may start a flow without a connect link. */
  productSessionSecret?: string;
  onConnected?: (r: ConnectResult) => void;
  /** When the operator console is on, it answers a successful callback (src/console/routes.ts consoleLanding). */
  landing?: (reply: FastifyReply, r: ConnectResult, initiatedBy: string | null) => FastifyReply;
}

type StartQuery = { link?: string; workspace?: string };
type CallbackQuery = { code?: string; state?: string; error?: string };

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * `GET /oauth/start` needs a one-time connect link (`?link=`) or a signed-in product session, then
 * sends the admin to Intercom's authorize page with a one-time `state` bound to this browser by a
 * cookie. `GET /oauth/callback` checks the cookie against the state before using the state up,
 * exchanges the code and connects the workspace. Every refusal says what to do; every internal
 * failure shows a reference whose detail is in the log.
 */
export const oauthRoutes: FastifyPluginAsync<OAuthRoutesOptions> = async (app, o) => {
  const ttlMs = o.stateTtlMs ?? 10 * 60_000;
  const secure = () => o.publicUrl().startsWith('https:');

  await app.register(rateLimit, {
    max: o.rateLimitPerMinute,
    timeWindow: 60_000,
    errorResponseBuilder: (_req, ctx) => ({ statusCode: 429, message: `Too many requests from your address. Please try again in ${Math.ceil(ctx.ttl / 1000)} seconds.` }),
  });

  /** Who may start: a claimed connect link or a product session; null (and a reply sent) when neither. */
  async function startFlow(req: FastifyRequest<{ Querystring: StartQuery }>, reply: FastifyReply): Promise<string | null> {
    const link = str(req.query.link);
    const session = o.productSessionSecret ? verifyProductSession(o.productSessionSecret, cookieValue(req.headers.cookie, PRODUCT_SESSION_COOKIE)) : null;
    if (link === undefined && session === null) {
      sendText(reply, 401, msg.NEED_SIGN_IN);
      return null;
    }
    if (link !== undefined && !isWellFormedLinkToken(link)) {
      req.log.info('connect link malformed');
      sendText(reply, 403, msg.LINK_REFUSED.unknown);
      return null;
    }
    try {
      // The link is claimed and the state created together: a start refused for capacity keeps its link.
      return await o.connect.db.transaction().execute(async (trx) => {
        let initiatedBy = `session:${session}`;
        if (link !== undefined) {
          const claim = await consumeConnectLink(trx, link);
          if (claim.verdict !== 'ok') {
            req.log.info({ linkId: claim.id, verdict: claim.verdict }, 'connect link refused');
            sendText(reply, 403, msg.LINK_REFUSED[claim.verdict]);
            return null;
          }
          initiatedBy = `link:${claim.id}`;
        }
        const state = await createOAuthState(trx, ttlMs, { maxPending: o.maxPendingStates, initiatedBy });
        req.log.info({ initiatedBy }, 'oauth flow started');
        return state;
      });
    } catch (err) {
      if (!(err instanceof TooManyPendingStatesError)) throw err;
      req.log.warn({ reason: err.message }, 'oauth start refused: too many flows in progress');
      void reply.header('retry-after', '60');
      sendText(reply, 503, msg.BUSY);
      return null;
    }
  }

  app.get<{ Querystring: StartQuery }>('/oauth/start', async (req, reply) => {
    const state = await startFlow(req, reply);
    if (state === null) return reply;
    const authorize = new URL('/oauth', appBaseUrl('us', o.appBaseUrlOverride));
    authorize.searchParams.set('client_id', o.clientId);
    authorize.searchParams.set('redirect_uri', `${o.publicUrl()}${CALLBACK_PATH}`);
    authorize.searchParams.set('state', state);
    // Lets the simulator pick which of its workspaces approves; Intercom ignores unknown params.
    const ws = str(req.query.workspace);
    if (ws && ws.length <= 200) authorize.searchParams.set('workspace', ws);
    return reply.header('set-cookie', stateCookie(state, Math.floor(ttlMs / 1000), secure())).redirect(authorize.toString(), 302);
  });

  app.get<{ Querystring: CallbackQuery }>(CALLBACK_PATH, async (req, reply) => {
    const state = str(req.query.state);
    const code = str(req.query.code);
    const error = str(req.query.error);
    if (!state || !isWellFormedState(state)) {
      req.log.info({ stateLength: state?.length ?? null }, 'callback refused: state missing or malformed');
      return sendText(reply, 400, msg.STATE_MALFORMED);
    }
    // Before the state is used up: a request from another browser (or none) must not burn the flow
    // that the admin's browser is about to complete.
    const cookie = cookieValue(req.headers.cookie, STATE_COOKIE);
    if (cookie === null || !sameSecret(cookie, state)) {
      req.log.info({ cookie: cookie === null ? 'missing' : 'different' }, 'callback refused: state cookie does not match');
      return sendText(reply, 400, msg.OTHER_BROWSER);
    }
    void reply.header('set-cookie', clearedStateCookie(secure()));
    const consumed = await claimOAuthState(o.connect.db, state);
    if (consumed.verdict !== 'ok') {
      req.log.info({ verdict: consumed.verdict, initiatedBy: consumed.initiatedBy }, 'callback refused: state');
      return sendText(reply, 400, msg.STATE_REFUSED[consumed.verdict]);
    }
    if (error !== undefined) {
      req.log.info({ intercomError: error.slice(0, 100), initiatedBy: consumed.initiatedBy }, 'intercom returned an error');
      return sendText(reply, error === 'access_denied' ? 403 : 400, error === 'access_denied' ? msg.ACCESS_DENIED : msg.intercomError(error, req.id));
    }
    if (!code) return sendText(reply, 400, msg.MISSING_CODE);
    try {
      const token = await exchangeOAuthCode({ http: o.http, baseUrl: o.apiBaseUrl, clientId: o.clientId, clientSecret: o.clientSecret, code });
      const result = await connectWorkspace(o.connect, token);
      req.log.info({ workspaceId: result.workspaceId, workflowId: result.workflowId, initiatedBy: consumed.initiatedBy }, 'workspace connected');
      o.onConnected?.(result);
      if (o.landing) return o.landing(reply, result, consumed.initiatedBy ?? null);
      return sendText(reply, 200, `Connected ${result.name} (${result.workspaceId}). The sync is running: workflow ${result.workflowId}.`);
    } catch (err) {
      // The message names what failed (codes and tokens are never in it); the admin sees a reference.
      req.log.error({ err, initiatedBy: consumed.initiatedBy }, 'oauth connection failed');
      return sendText(reply, 502, genericFailure(req.id));
    }
  });
};
