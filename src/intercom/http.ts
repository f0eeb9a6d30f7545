import { Agent, type Dispatcher } from 'undici';
import { DEFAULT_DETAIL_MEMORY_BYTES, detailSlotsFor, RESPONSE_CAPS } from './limits';
import { Slots } from './slots';

/** The HTTP connection pool to Intercom: one per process, created by the caller and handed to every client. */
export interface IntercomHttp {
  dispatcher: Dispatcher;
  /** Detail requests in flight in this process, all clients together (limits.ts has the arithmetic). */
  detailSlots: Slots;
  close(): Promise<void>;
}

export interface IntercomHttpOptions {
  /** Sockets kept per origin (keep-alive). Default 64. */
  connectionsPerOrigin?: number;
  /** How long an idle socket stays open. Default 30 s. */
  keepAliveTimeoutMs?: number;
  /** Detail-body bytes this process may hold at once; detail requests in flight = this / the detail cap. Default 512 MiB. */
  detailMemoryBytes?: number;
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
    detailSlots: new Slots(detailSlotsFor(opts.detailMemoryBytes ?? DEFAULT_DETAIL_MEMORY_BYTES, RESPONSE_CAPS.detail)),
    async close() {
      await agent.close();
    },
  };
}
