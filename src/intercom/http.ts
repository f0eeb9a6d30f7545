import { Agent, type Dispatcher } from 'undici';

/** The HTTP connection pool to Intercom: one per process, created by the caller and handed to every client. */
export interface IntercomHttp {
  dispatcher: Dispatcher;
  close(): Promise<void>;
}

export interface IntercomHttpOptions {
  /** Sockets kept per origin (keep-alive). Default 64. */
  connectionsPerOrigin?: number;
  /** How long an idle socket stays open. Default 30 s. */
  keepAliveTimeoutMs?: number;
}

export function createIntercomHttp(opts: IntercomHttpOptions = {}): IntercomHttp {
  const agent = new Agent({
    connections: opts.connectionsPerOrigin ?? 64,
    keepAliveTimeout: opts.keepAliveTimeoutMs ?? 30_000,
    keepAliveMaxTimeout: 10 * 60_000,
    connectTimeout: 10_000,
  });
  return {
    dispatcher: agent,
    async close() {
      await agent.close();
    },
  };
}
