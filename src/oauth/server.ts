import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appBaseUrl, exchangeOAuthCode, type IntercomHttp } from '../intercom/client';
import { consumeOAuthState, createOAuthState } from '../repositories/oauthStates';
import { connectWorkspace, type ConnectDeps, type ConnectResult } from '../app/connectWorkspace';

export interface OAuthServerOptions {
  connect: ConnectDeps;
  http: IntercomHttp;
  clientId: string;
  clientSecret: string;
  /** Where Intercom sends the admin back, e.g. https://sync.example.com (the callback path is appended). */
  publicUrl?: string;
  port: number;
  /** Interface to listen on; 127.0.0.1 unless the callback must be reachable from elsewhere. */
  host?: string;
  appBaseUrlOverride?: string;
  apiBaseUrl: string;
  stateTtlMs?: number;
  onConnected?: (r: ConnectResult) => void;
  log?: (line: string) => void;
}

export interface OAuthServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export const CALLBACK_PATH = '/oauth/callback';
/** Binds a flow to the browser that started it, so a callback from another browser is refused (login CSRF). */
const STATE_COOKIE = 'intercom_sync_oauth_state';

function cookieValue(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}

/**
 * `GET /oauth/start` sends the admin to Intercom's authorize page with a one-time `state`;
 * `GET /oauth/callback` checks the state (unknown, reused or expired ones are refused, and so is
 * one that the same browser did not start, by a cookie set at start), exchanges the code and
 * connects the workspace.
 */
export async function startOAuthServer(o: OAuthServerOptions): Promise<OAuthServer> {
  const log = o.log ?? (() => undefined);
  let base = o.publicUrl ?? '';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/healthz') return send(res, 200, 'ok');
    if (req.method === 'GET' && url.pathname === '/oauth/start') {
      const state = await createOAuthState(o.connect.db, o.stateTtlMs ?? 10 * 60_000);
      const authorize = new URL('/oauth', appBaseUrl('us', o.appBaseUrlOverride));
      authorize.searchParams.set('client_id', o.clientId);
      authorize.searchParams.set('redirect_uri', `${base}${CALLBACK_PATH}`);
      authorize.searchParams.set('state', state);
      // Lets the simulator pick which of its workspaces approves; Intercom ignores unknown params.
      const ws = url.searchParams.get('workspace');
      if (ws) authorize.searchParams.set('workspace', ws);
      const maxAge = Math.floor((o.stateTtlMs ?? 10 * 60_000) / 1000);
      res.writeHead(302, {
        location: authorize.toString(),
        'set-cookie': `${STATE_COOKIE}=${encodeURIComponent(state)}; Path=/oauth; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${base.startsWith('https:') ? '; Secure' : ''}`,
      });
      res.end();
      return;
    }
    if (req.method === 'GET' && url.pathname === CALLBACK_PATH) {
      const code = url.searchParams.get('code');
      const state = url.searchParams.get('state');
      if (!state) return send(res, 400, 'missing state');
      const verdict = await consumeOAuthState(o.connect.db, state);
      if (verdict !== 'ok') return send(res, 400, `refused: ${verdict} state`);
      if (cookieValue(req, STATE_COOKIE) !== state) return send(res, 400, 'refused: this browser did not start the connection (state cookie missing or different)');
      if (!code) return send(res, 400, 'missing code');
      const token = await exchangeOAuthCode({ http: o.http, baseUrl: o.apiBaseUrl, clientId: o.clientId, clientSecret: o.clientSecret, code });
      const result = await connectWorkspace(o.connect, token);
      log(`connected workspace ${result.workspaceId} (${result.name})`);
      o.onConnected?.(result);
      return send(res, 200, `Connected ${result.name} (${result.workspaceId}). The sync is running: workflow ${result.workflowId}.`);
    }
    send(res, 404, 'not found');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // The message names what failed; codes and tokens are never echoed.
      log(`oauth request failed: ${(err as Error).message}`);
      if (!res.headersSent) send(res, 502, `connection failed: ${(err as Error).message}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`OAuth server cannot listen on ${o.host ?? '127.0.0.1'}:${o.port}: ${err.message}`)));
    server.listen(o.port, o.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${o.host && o.host !== '0.0.0.0' && o.host !== '::' ? o.host : '127.0.0.1'}:${port}`;
  if (!base) base = url;
  return {
    url,
    server,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
