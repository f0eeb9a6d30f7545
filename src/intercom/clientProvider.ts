import type { TokenCipher } from '../crypto/tokenCipher';
import type { Db } from '../db/connection';
import type { RequestMetrics } from '../observability/metrics';
import type { RateLimiter } from '../ratelimit/limiter';
import { loadCredentials } from '../repositories/credentials';
import { getWorkspace } from '../repositories/workspaces';
import { IntercomClient, type IntercomHttp } from './client';

export interface ClientProviderOptions {
  db: Db;
  cipher: TokenCipher;
  limiter: RateLimiter;
  http: IntercomHttp;
  /** Replaces every regional host (tests, the simulator). */
  baseUrlOverride?: string;
  metrics?: RequestMetrics;
}

export interface WorkspaceClient extends IntercomClient {
  /** updated_at of the credentials this client was built with. */
  readonly credentialsVersion: number;
}

export class WorkspaceGoneError extends Error {
  override name = 'WorkspaceGoneError';
}

/**
 * Builds an Intercom client per activity from the encrypted token in Postgres. The decrypted
 * token lives only inside the client object: it never enters workflow inputs, histories or logs.
 */
export class ClientProvider {
  constructor(private readonly o: ClientProviderOptions) {}

  async forWorkspace(workspaceId: string, signal?: AbortSignal): Promise<WorkspaceClient> {
    const [workspace, credentials] = await Promise.all([getWorkspace(this.o.db, workspaceId), loadCredentials(this.o.db, workspaceId)]);
    if (!workspace || !credentials) throw new WorkspaceGoneError(`workspace ${workspaceId} has no stored credentials (disconnected?)`);
    const client = new IntercomClient({
      workspaceId,
      token: this.o.cipher.decrypt(credentials.token_encrypted, { workspaceId, keyId: credentials.key_id }),
      region: workspace.region,
      baseUrl: this.o.baseUrlOverride,
      http: this.o.http,
      limiter: this.o.limiter,
      signal,
      metrics: this.o.metrics,
    });
    return Object.assign(client, { credentialsVersion: credentials.updated_at.getTime() });
  }

  /**
   * After a 401: a client with the newer token if the customer re-authorized since `stale` was
   * built, else null (the failure is real and the workflow must wait for a reauthorization).
   */
  async refreshed(workspaceId: string, stale: WorkspaceClient, signal?: AbortSignal): Promise<WorkspaceClient | null> {
    const credentials = await loadCredentials(this.o.db, workspaceId);
    if (!credentials || credentials.updated_at.getTime() === stale.credentialsVersion) return null;
    return this.forWorkspace(workspaceId, signal);
  }
}
