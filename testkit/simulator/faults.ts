import type { Rng } from './random';
import type { FaultOptions } from './types';

export const DEFAULT_FAULTS: FaultOptions = { serverErrorRate: 0, timeoutRate: 0, timeoutMs: 30_000, malformedRate: 0 };

export type Fault = 'none' | 'timeout' | 'server_error' | 'malformed';
/** A fault pinned on one endpoint (e.g. 'GET /tags'): every request to it misbehaves that way until cleared. */
export type EndpointFault = 'server_error' | 'malformed' | 'bad_request';

/** Decides, per API request, whether to misbehave. Draws come from a seeded PRNG so a failing run can be replayed. */
export class Faults {
  options: FaultOptions;

  constructor(
    private readonly rng: Rng,
    initial: Partial<FaultOptions> = {},
  ) {
    this.options = { ...DEFAULT_FAULTS, ...initial };
  }

  private readonly pinned = new Map<string, EndpointFault>();

  set(f: Partial<FaultOptions>): void {
    this.options = { ...this.options, ...f };
  }

  /** Pins a fault on one endpoint template; null clears it. */
  setEndpoint(endpoint: string, fault: EndpointFault | null): void {
    if (fault === null) this.pinned.delete(endpoint);
    else this.pinned.set(endpoint, fault);
  }

  pinnedFor(endpoint: string): EndpointFault | undefined {
    return this.pinned.get(endpoint);
  }

  decide(): Fault {
    const o = this.options;
    if (o.timeoutRate <= 0 && o.serverErrorRate <= 0 && o.malformedRate <= 0) return 'none';
    const r = this.rng.float();
    if (r < o.timeoutRate) return 'timeout';
    if (r < o.timeoutRate + o.serverErrorRate) return 'server_error';
    if (r < o.timeoutRate + o.serverErrorRate + o.malformedRate) return 'malformed';
    return 'none';
  }

  serverError(): { status: number; code: string; message: string } {
    return this.rng.pick([
      { status: 500, code: 'server_error', message: 'Server Error' },
      { status: 502, code: 'server_error', message: 'Bad Gateway' },
      { status: 503, code: 'service_unavailable', message: 'Service Unavailable' },
    ]);
  }

  /**
   * A 200 body that breaks the contract: cut-off JSON, an HTML error page, or valid JSON of the wrong shape
   * (conversations without created_at, lists without their array).
   */
  malform(json: string): string {
    const variant = this.rng.int(0, 2);
    if (variant === 0) return json.slice(0, Math.max(1, Math.floor(json.length / 2)));
    if (variant === 1) return '<html><body><h1>We\'re sorry, but something went wrong.</h1></body></html>';
    return breakShape(json);
  }
}

/**
 * Valid JSON of the wrong shape: conversations without created_at, lists without their array (an empty page's
 * too), /me without app. One implementation for the simulator's faults and the benchmark's fault proxy.
 */
export function breakShape(json: string): string {
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch {
    return '[]';
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return '[]';
  const obj = body as Record<string, unknown>;
  if (Array.isArray(obj['conversations'])) {
    if (obj['conversations'].length === 0) obj['conversations'] = null;
    else obj['conversations'] = obj['conversations'].map((c: unknown) => {
      if (typeof c !== 'object' || c === null) return c;
      const { created_at: _dropped, ...rest } = c as Record<string, unknown>;
      return rest;
    });
    return JSON.stringify(obj);
  }
  if (obj['type'] === 'conversation') {
    delete obj['created_at'];
    obj['conversation_parts'] = null;
    return JSON.stringify(obj);
  }
  for (const key of ['admins', 'teams', 'data']) if (key in obj) obj[key] = null;
  delete obj['app'];
  delete obj['id'];
  return JSON.stringify(obj);
}
