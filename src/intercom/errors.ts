export type IntercomErrorCode =
  | 'rate_limited'
  | 'server_error'
  | 'network_error'
  | 'timeout'
  /** The whole request (headers and body) outlived its overall deadline: a slow or trickling response. Transient. */
  | 'deadline_exceeded'
  /** The body is larger than the endpoint's cap: refused without being buffered. The same answer would come again. */
  | 'response_too_large'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'bad_request'
  | 'contract_violation';

export interface IntercomErrorInit {
  code: IntercomErrorCode;
  /** Endpoint template, e.g. 'GET /conversations/{id}'. Never a concrete URL, never a token. */
  endpoint: string;
  /** The problem, without the endpoint (the constructor prefixes it). */
  problem: string;
  retryable: boolean;
  status?: number;
  retryAfterMs?: number;
  requestId?: string;
  field?: string;
  cause?: unknown;
}

/**
 * Every failure of a call to Intercom. Carries no credentials: messages are built from the endpoint template, the
 * status, Intercom's error codes and (redacted) messages only.
 */
export class IntercomError extends Error {
  override readonly name = 'IntercomError';
  readonly code: IntercomErrorCode;
  readonly status?: number;
  readonly endpoint: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly requestId?: string;
  readonly field?: string;

  constructor(init: IntercomErrorInit) {
    super(`${init.endpoint}: ${init.problem}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.endpoint = init.endpoint;
    this.retryable = init.retryable;
    if (init.status !== undefined) this.status = init.status;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.requestId !== undefined) this.requestId = init.requestId;
    if (init.field !== undefined) this.field = init.field;
  }

  /** Plain data for logs and Temporal failure details (JSON.stringify uses it). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      code: this.code,
      status: this.status,
      endpoint: this.endpoint,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      requestId: this.requestId,
      field: this.field,
    };
  }
}

export function isIntercomError(e: unknown): e is IntercomError {
  return e instanceof IntercomError;
}

/** The token was rejected (401) or lacks a permission / plan (403): retrying cannot help, the workspace needs attention. */
export function isAuthError(e: unknown): boolean {
  return e instanceof IntercomError && (e.code === 'unauthorized' || e.code === 'forbidden');
}

/** Replaces every occurrence of each secret in `text` (secrets shorter than 4 characters are ignored). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length >= 4 && out.includes(s)) out = out.split(s).join('[redacted]');
  }
  return out;
}
