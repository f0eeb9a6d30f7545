import type { Dispatcher } from 'undici';
import { BodyTooLargeError, readCapped, readErrorText } from './body';
import { RESPONSE_CAPS } from './limits';
import { classifyThrown, deadlineExceeded, responseTooLarge, type ResponseHeaders } from './retryPolicy';

export interface SendOptions {
  dispatcher: Dispatcher;
  request: Omit<Dispatcher.RequestOptions, 'signal' | 'headersTimeout' | 'bodyTimeout'>;
  /** Endpoint template for errors. */
  endpoint: string;
  /** undici's idle timeouts: for the headers, then between body chunks. */
  idleTimeoutMs: number;
  /** The whole attempt, headers and body, must be done by then: a trickling body cannot hold a request open. */
  deadlineMs: number;
  /** Largest 2xx body accepted (limits.ts). */
  capBytes: number;
  signal?: AbortSignal;
  secrets: readonly string[];
  /** Called once the headers are in, before the body is read (the rate limiter learns the headers even of a refused body). */
  onHeaders?: (status: number, headers: ResponseHeaders) => Promise<void>;
}

class HookError {
  constructor(readonly error: unknown) {}
}

export interface Sent {
  status: number;
  headers: ResponseHeaders;
  text: string;
}

/**
 * One HTTP attempt with every bound applied: idle timeouts, an overall deadline and a byte cap on the body. Throws
 * an IntercomError (deadline_exceeded, response_too_large, timeout, network_error), or the caller's abort reason as is.
 */
export async function sendOnce(o: SendOptions): Promise<Sent> {
  const outer = o.signal;
  if (outer?.aborted) throw outer.reason;
  const ctl = new AbortController();
  const onAbort = () => ctl.abort(outer?.reason);
  outer?.addEventListener('abort', onAbort, { once: true });
  let overdue = false;
  const timer = setTimeout(() => {
    overdue = true;
    ctl.abort(new Error('deadline exceeded'));
  }, o.deadlineMs);
  let status: number | undefined;
  try {
    const res = await o.dispatcher.request({ ...o.request, signal: ctl.signal, headersTimeout: o.idleTimeoutMs, bodyTimeout: o.idleTimeoutMs });
    status = res.statusCode;
    if (o.onHeaders) {
      try {
        await o.onHeaders(res.statusCode, res.headers);
      } catch (err) {
        res.body.destroy();
        throw new HookError(err);
      }
    }
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    const text = ok ? await readCapped(res.body, res.headers, o.capBytes) : await readErrorText(res.body, res.headers, RESPONSE_CAPS.error);
    return { status: res.statusCode, headers: res.headers, text };
  } catch (e) {
    if (e instanceof HookError) throw e.error; // the caller's own failure (e.g. the limiter's database), not HTTP's
    if (outer?.aborted) throw outer.reason;
    if (overdue) throw deadlineExceeded(o.endpoint, o.deadlineMs, status !== undefined);
    if (e instanceof BodyTooLargeError) throw responseTooLarge(o.endpoint, e.capBytes, e.seenBytes, e.declared, status);
    throw classifyThrown(o.endpoint, e, o.secrets);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onAbort);
  }
}
