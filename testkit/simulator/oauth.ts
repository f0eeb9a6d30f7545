import { randomBytes } from 'node:crypto';
import type { Reply } from './http';
import { errorReply, jsonReply } from './http';
import type { TokenRegistry } from './tokens';

/** Intercom's authorization codes are valid for about five minutes. */
export const CODE_TTL_MS = 5 * 60_000;

interface PendingCode {
  workspaceId: string;
  clientId: string;
  expiresAt: number;
}

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

/** The authorize page (auto-approving) and the code-for-token exchange. */
export class OAuthServer {
  private readonly codes = new Map<string, PendingCode>();

  constructor(
    private readonly client: OAuthClient,
    private readonly now: () => number,
    private readonly tokens: TokenRegistry,
    /** Resolves the `workspace` query param (id or name); undefined means the first workspace. */
    private readonly resolveWorkspace: (idOrName: string | undefined) => string | null,
  ) {}

  authorize(query: URLSearchParams): Reply {
    if (query.get('client_id') !== this.client.clientId) return errorReply(400, 'bad_request', 'Unknown client_id');
    const redirect = query.get('redirect_uri');
    let target: URL;
    try {
      target = new URL(redirect ?? '');
    } catch {
      return errorReply(400, 'bad_request', 'redirect_uri must be an absolute URL');
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') return errorReply(400, 'bad_request', 'redirect_uri must be http(s)');
    const workspaceId = this.resolveWorkspace(query.get('workspace') ?? undefined);
    if (workspaceId === null) return errorReply(400, 'bad_request', 'Unknown workspace');
    const code = randomBytes(16).toString('hex');
    this.codes.set(code, { workspaceId, clientId: this.client.clientId, expiresAt: this.now() + CODE_TTL_MS });
    target.searchParams.set('code', code);
    const state = query.get('state');
    if (state !== null) target.searchParams.set('state', state);
    return { status: 302, body: '', headers: { location: target.toString(), 'content-type': 'text/plain' } };
  }

  /** Accepts JSON or form-encoded bodies, as both are seen in the wild. */
  exchange(rawBody: string, contentType: string | undefined): Reply {
    let params: Record<string, unknown>;
    if ((contentType ?? '').includes('application/json')) {
      try {
        const parsed: unknown = JSON.parse(rawBody);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        params = parsed as Record<string, unknown>;
      } catch {
        return errorReply(400, 'bad_request', 'Invalid JSON body');
      }
    } else {
      params = Object.fromEntries(new URLSearchParams(rawBody));
    }
    const { code, client_id: clientId, client_secret: secret } = params;
    if (clientId !== this.client.clientId || secret !== this.client.clientSecret) {
      return errorReply(401, 'unauthorized', 'Invalid client credentials');
    }
    const pending = typeof code === 'string' ? this.codes.get(code) : undefined;
    if (typeof code !== 'string' || pending === undefined) return errorReply(401, 'unauthorized', 'Invalid or already used authorization code');
    this.codes.delete(code);
    if (pending.expiresAt < this.now()) return errorReply(401, 'unauthorized', 'Authorization code expired');
    const token = this.tokens.issue(pending.workspaceId);
    return jsonReply({ token_type: 'Bearer', token, access_token: token });
  }
}
