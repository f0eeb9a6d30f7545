import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/connection';
import { CommandRejectedError, parseResyncTime, sendCommand, verifyReport, type Command } from '../cli/commands';
import { cookieValue, sameSecret } from '../oauth/cookies';
import { PRODUCT_SESSION_COOKIE, signProductSession } from '../oauth/productSession';
import { agentTimelineToday, firstResponsePerDay, workspaceCards } from '../repositories/consoleData';
import { agentsByState, contactsPerDay, contactsPerDayBy } from '../repositories/verify';
import type { ResyncRequest } from '../../workflows/types';
import {
  checkCredential,
  clearedSessionCookie,
  CONSOLE_COOKIE,
  csrfToken,
  LoginThrottle,
  sessionCookie,
  signSession,
  verifySession,
  type ConsoleCredential,
  type Viewer,
} from './auth';
import { confirmDisconnectBody, integrationsBody, LIVE_SCRIPT, statusJson } from './integrationsPage';
import { consoleCsp, html, layout, type Html } from './html';
import { loginBody } from './loginPage';
import { verifyBody } from './verifyPage';

/** A customer's admin who completed OAuth: their one workspace, in a cookie of its own (an operator's session stays). */
export const ADMIN_COOKIE = 'intercom_sync_console_ws';
const LOGIN_COOKIE = 'intercom_sync_console_login';
/** The account a console operator's product session names; the callback recognises its flows by it. */
export const OPERATOR_ACCOUNT = 'console-operator';
const SESSION_TTL_SEC = 8 * 3600;
const COMMANDS: readonly Command[] = ['pause', 'resume', 'resync', 'disconnect'];

export interface ConsoleRoutesOptions {
  db: Db;
  temporal: Client;
  credential: ConsoleCredential;
  /** Signs console sessions and CSRF tokens. */
  sessionKey: string;
  /** Signs the operator's product session for /oauth/start (PRODUCT_SESSION_SECRET, or sessionKey). */
  productSessionSecret: string;
  publicUrl: () => string;
}

type Body = Record<string, string | undefined>;
interface Signed {
  viewer: Viewer;
  /** The cookie's value (CSRF tokens are bound to it). */
  session: string;
}

export const consoleRoutes: FastifyPluginAsync<ConsoleRoutesOptions> = async (app, o) => {
  const secure = () => o.publicUrl().startsWith('https:');
  const throttle = new LoginThrottle();

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16_384 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  function signedIn(req: FastifyRequest): Signed | null {
    const op = cookieValue(req.headers.cookie, CONSOLE_COOKIE);
    const opViewer = verifySession(o.sessionKey, op);
    if (op && opViewer?.kind === 'operator') return { viewer: opViewer, session: op };
    const ws = cookieValue(req.headers.cookie, ADMIN_COOKIE);
    const wsViewer = verifySession(o.sessionKey, ws);
    if (ws && wsViewer?.kind === 'admin') return { viewer: wsViewer, session: ws };
    return null;
  }

  function page(reply: FastifyReply, status: number, title: string, body: Html, s: Signed | null, extra: { script?: string; live?: string } = {}): FastifyReply {
    const nonce = randomBytes(16).toString('base64');
    const label = s?.viewer.kind === 'operator' ? 'Signed in as operator' : s ? `Workspace ${s.viewer.kind === 'admin' ? s.viewer.workspaceId : ''}` : '';
    const signed = s ? { label, csrf: csrfToken(o.sessionKey, s.session) } : undefined;
    return reply
      .code(status)
      .header('content-security-policy', consoleCsp(nonce))
      .type('text/html; charset=utf-8')
      .send(layout({ title, nonce, signedIn: signed, body, ...extra }));
  }

  /** Operators only; anyone else is sent to sign in (pages) or refused (JSON, forms). */
  function requireOperator(req: FastifyRequest, reply: FastifyReply): Signed | null {
    const s = signedIn(req);
    if (s?.viewer.kind === 'operator') return s;
    if (req.method === 'GET' && !req.url.includes('.json')) void reply.redirect('/console/login', 303);
    else page(reply, 401, 'Sign in first', html`<p>Please <a href="/console/login">sign in</a>.</p>`, null);
    return null;
  }

  function csrfOk(s: Signed, body: Body): boolean {
    const given = typeof body.csrf === 'string' ? body.csrf : '';
    return given.length > 0 && sameSecret(given, csrfToken(o.sessionKey, s.session));
  }

  const refuseCsrf = (reply: FastifyReply, s: Signed | null) =>
    page(reply, 403, 'Refused', html`<p role="alert">This form has expired or did not come from this console (its CSRF token does not match). Reload the page and try again.</p>`, s);

  app.get('/console/login', async (req, reply) => {
    const token = randomBytes(18).toString('base64url');
    void reply.header('set-cookie', `${LOGIN_COOKIE}=${token}; Path=/console; Max-Age=3600; HttpOnly; SameSite=Strict${secure() ? '; Secure' : ''}`);
    return page(reply, 200, 'Sign in', loginBody(token), signedIn(req));
  });

  app.post<{ Body: Body }>('/console/login', async (req, reply) => {
    const body = req.body ?? {};
    const pre = cookieValue(req.headers.cookie, LOGIN_COOKIE);
    if (!pre || typeof body.csrf !== 'string' || !sameSecret(pre, body.csrf)) return refuseCsrf(reply, null);
    const wait = throttle.delayMs(req.ip);
    if (wait > 0) await sleep(wait);
    if (!(await checkCredential(o.credential, typeof body.password === 'string' ? body.password : ''))) {
      throttle.failed(req.ip);
      req.log.info('console sign-in refused');
      return page(reply, 401, 'Sign in', loginBody(pre, 'That password is not right. Each wrong try makes the next answer slower.'), null);
    }
    throttle.succeeded(req.ip);
    req.log.info('console sign-in');
    const value = signSession(o.sessionKey, { kind: 'operator' }, SESSION_TTL_SEC);
    return reply.header('set-cookie', sessionCookie(value, SESSION_TTL_SEC, secure())).redirect('/console', 303);
  });

  app.post<{ Body: Body }>('/console/logout', async (req, reply) => {
    const s = signedIn(req);
    if (!s || !csrfOk(s, req.body ?? {})) return refuseCsrf(reply, s);
    const cookieName = s.viewer.kind === 'operator' ? CONSOLE_COOKIE : ADMIN_COOKIE;
    return reply.header('set-cookie', clearedSessionCookie(secure()).replace(CONSOLE_COOKIE, cookieName)).redirect('/console/login', 303);
  });

  const visibleCards = (v: Viewer) => workspaceCards(o.db, v.kind === 'admin' ? v.workspaceId : undefined);

  app.get('/console', async (req, reply) => {
    const s = signedIn(req);
    if (!s) return reply.redirect('/console/login', 303);
    const operator = s.viewer.kind === 'operator';
    const cards = await visibleCards(s.viewer);
    const csrf = operator ? csrfToken(o.sessionKey, s.session) : null;
    return page(reply, 200, 'Integrations', integrationsBody(cards, { csrf, operator, flash: flashFor(req) }), s, { script: LIVE_SCRIPT, live: '/console/status.json' });
  });

  app.get('/console/status.json', async (req, reply) => {
    const s = signedIn(req);
    if (!s) return reply.code(401).send({ error: 'sign in first' });
    return reply.send(statusJson(await visibleCards(s.viewer)));
  });

  app.get<{ Querystring: { workspace?: string } }>('/console/connect', async (req, reply) => {
    if (!requireOperator(req, reply)) return reply;
    const session = signProductSession(o.productSessionSecret, OPERATOR_ACCOUNT, Date.now() / 1000 + 600);
    const ws = typeof req.query.workspace === 'string' && req.query.workspace.length <= 200 ? `?workspace=${encodeURIComponent(req.query.workspace)}` : '';
    return reply
      .header('set-cookie', `${PRODUCT_SESSION_COOKIE}=${session}; Path=/oauth; Max-Age=600; HttpOnly; SameSite=Lax${secure() ? '; Secure' : ''}`)
      .redirect(`/oauth/start${ws}`, 303);
  });

  app.post<{ Params: { id: string; action: string }; Body: Body }>('/console/workspaces/:id/:action', async (req, reply) => {
    const s = requireOperator(req, reply);
    if (!s) return reply;
    const body = req.body ?? {};
    if (!csrfOk(s, body)) return refuseCsrf(reply, s);
    const { id, action } = req.params;
    const command = COMMANDS.find((c) => c === action);
    if (!command) return page(reply, 404, 'Not found', html`<p>No such action.</p>`, s);
    const [target] = await workspaceCards(o.db, id);
    if (!target) return page(reply, 404, 'Not found', html`<p>No workspace with id ${id}.</p>`, s);
    if (command === 'disconnect' && body.confirm !== 'yes') return page(reply, 200, `Disconnect ${target.name}?`, confirmDisconnectBody(target, csrfToken(o.sessionKey, s.session)), s);
    const problem = await (async () => {
      try {
        const resync: ResyncRequest = {};
        if (command === 'resync') {
          const from = parseResyncTime('from', body.from || undefined);
          const to = parseResyncTime('to', body.to || undefined);
          if (from !== undefined) resync.fromSec = from;
          if (to !== undefined) resync.toSec = to;
        }
        const view = await sendCommand(o.temporal, id, command, resync);
        req.log.info({ workspaceId: id, command }, 'console command accepted');
        return { ok: `${command}: ${target.name} is now ${view.status}` };
      } catch (err) {
        if (err instanceof CommandRejectedError) return { status: 409, message: err.message };
        if (err instanceof WorkflowNotFoundError) return { status: 404, message: `${command} rejected: no workflow runs for workspace ${id}; connect it again first` };
        if (err instanceof Error && err.message.startsWith('--')) return { status: 400, message: err.message };
        throw err;
      }
    })();
    if ('ok' in problem) return reply.redirect(`/console?done=${encodeURIComponent(command)}&ws=${encodeURIComponent(id)}#ws-${encodeURIComponent(id)}`, 303);
    const cards = await workspaceCards(o.db);
    return page(reply, problem.status, 'Integrations', integrationsBody(cards, { csrf: csrfToken(o.sessionKey, s.session), operator: true, flash: problem.message }), s);
  });

  app.get<{ Params: { id: string }; Querystring: { days?: string } }>('/console/workspaces/:id/verify', async (req, reply) => {
    const s = requireOperator(req, reply);
    if (!s) return reply;
    const [ws] = await workspaceCards(o.db, req.params.id);
    if (!ws) return page(reply, 404, 'Not found', html`<p>No workspace with id ${req.params.id}.</p>`, s);
    const days = req.query.days === '30' ? 30 : 14;
    const now = new Date();
    const [perDay, byQueue, byTeam, responses, states, spans, report] = await Promise.all([
      contactsPerDay(o.db, ws.id, days, now),
      contactsPerDayBy(o.db, ws.id, 'queue', days, now),
      contactsPerDayBy(o.db, ws.id, 'team', days, now),
      firstResponsePerDay(o.db, ws.id, days, now),
      agentsByState(o.db, ws.id),
      agentTimelineToday(o.db, ws.id, now),
      verifyReport(o.db, ws.id, days),
    ]);
    const breakdowns = [
      { by: 'queue' as const, data: byQueue },
      { by: 'team' as const, data: byTeam },
    ];
    const body = verifyBody({ workspace: ws, days, perDay, responses, states, spans, problems: report.problems, now, breakdowns });
    return page(reply, 200, `Verify ${ws.name}`, body, s);
  });
};

/** Fixed words for a redirect after an accepted command: nothing from the query string is echoed but the known command. */
function flashFor(req: FastifyRequest): string | undefined {
  const q = req.query as { done?: string; ws?: string };
  const command = COMMANDS.find((c) => c === q.done);
  if (!command || typeof q.ws !== 'string') return undefined;
  const words: Record<Command, string> = { pause: 'paused', resume: 'resumed', resync: 'resync started for', disconnect: 'disconnected' };
  return `Accepted: ${words[command]} workspace ${q.ws.slice(0, 200)}.`;
}

/**
 * What the OAuth callback shows when the console is on: an operator's flow lands back on the card; a
 * customer's admin gets a cookie that shows only their workspace's card. A page (not a redirect)
 * moves on, so the browser sends the SameSite=Strict session on the next, same-site, request.
 */
export function consoleLanding(o: { sessionKey: string; publicUrl: () => string }) {
  return (reply: FastifyReply, r: { workspaceId: string; name: string; workflowId: string }, initiatedBy: string | null): FastifyReply => {
    const secure = o.publicUrl().startsWith('https:');
    if (initiatedBy !== `session:${OPERATOR_ACCOUNT}`) {
      const value = signSession(o.sessionKey, { kind: 'admin', workspaceId: r.workspaceId }, SESSION_TTL_SEC);
      void reply.header('set-cookie', sessionCookie(value, SESSION_TTL_SEC, secure).replace(CONSOLE_COOKIE, ADMIN_COOKIE));
    }
    const target = `/console#ws-${encodeURIComponent(r.workspaceId)}`;
    const nonce = randomBytes(16).toString('base64');
    const body = html`<p role="status">Connected ${r.name} (${r.workspaceId}). The sync is running: workflow ${r.workflowId}.</p><p><a href="${target}">Open its card</a></p>`;
    const doc = layout({ title: 'Connected', nonce, body }).replace('<head>', `<head><meta http-equiv="refresh" content="0;url=${target.replace(/"/g, '')}">`);
    return reply.code(200).header('content-security-policy', consoleCsp(nonce)).type('text/html; charset=utf-8').send(doc);
  };
}
