import { ApplicationFailure, CancelledFailure } from '@temporalio/activity';
import { isAuthError, isIntercomError, type IntercomError } from '../src/intercom/errors';
import { checkpointDetails, FailureTypes, type FailureType, type WindowCheckpoint } from './types';

/**
 * The one classification of every activity failure (every activity goes through
 * `withClassifiedFailures`). Retryable with backoff, up to the bound of the activity's proxy
 * profile: network, 5xx, 429, timeouts, a 404 (search can briefly miss a deleted conversation), the
 * database being unavailable, and anything unexpected. Not retryable: 401/403 (the workflow waits
 * for a reauthorization), other 4xx, contract violations that reached the activity (the per-record
 * quarantine already had its tries), a token this process cannot decrypt, a configuration error, a
 * statement the database refuses. Auth failures carry the checkpoint so work resumes where it stopped.
 */
export function toActivityFailure(err: unknown, checkpoint?: WindowCheckpoint | null): unknown {
  if (err instanceof ApplicationFailure || err instanceof CancelledFailure || isAbortError(err)) return err;
  const { type, retryable, message } = classify(err);
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: !retryable,
    details: checkpointDetails(checkpoint),
    ...(isIntercomError(err) && err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
  });
}

// Where a failed search sync stopped, kept beside the error it threw (never written onto it, which
// a thrown string or frozen object would refuse) until the activity turns it into a failure detail.
const carried = new WeakMap<object, WindowCheckpoint>();

/** Records where the work that threw `err` stopped; returns `err` to rethrow. */
export function withCheckpoint(err: unknown, checkpoint: WindowCheckpoint): unknown {
  if (typeof err === 'object' && err !== null) carried.set(err, checkpoint);
  return err;
}

/** The checkpoint `withCheckpoint` recorded for `err`, if any. */
export function checkpointCarriedBy(err: unknown): WindowCheckpoint | undefined {
  return typeof err === 'object' && err !== null ? carried.get(err) : undefined;
}

export interface Classification {
  type: FailureType;
  retryable: boolean;
  /** In words, token-free (Intercom errors never carry tokens; other messages are cut short). */
  message: string;
}

export function classify(err: unknown): Classification {
  if (isIntercomError(err)) return classifyIntercom(err);
  const name = errorName(err);
  const message = err instanceof Error ? err.message.slice(0, 300) : String(err).slice(0, 300);
  // Matched by name: the cipher module may change shape (key ring), the error's name stays.
  if (name === 'TokenDecryptionError') return { type: FailureTypes.decryption, retryable: false, message };
  if (name === 'ConfigError') return { type: FailureTypes.config, retryable: false, message };
  if (name === 'WorkspaceGoneError' || name === 'GateClosedError') return { type: FailureTypes.gone, retryable: false, message };
  const db = databaseFailure(err);
  if (db === 'unavailable') return { type: FailureTypes.database, retryable: true, message: `database unavailable: ${message}` };
  if (db === 'rejected') return { type: FailureTypes.databaseRejected, retryable: false, message: `database refused a statement: ${message}` };
  return { type: FailureTypes.internal, retryable: true, message: `${name ?? 'Error'}: ${message}` };
}

function classifyIntercom(err: IntercomError): Classification {
  if (isAuthError(err)) return { type: FailureTypes.auth, retryable: false, message: err.message };
  if (err.code === 'contract_violation') return { type: FailureTypes.contract, retryable: false, message: err.message };
  // A search page or list over its size cap (a detail over it is quarantined per record): the same answer would come again.
  if (err.code === 'response_too_large') return { type: FailureTypes.contract, retryable: false, message: err.message };
  if (err.code === 'bad_request') return { type: FailureTypes.rejected, retryable: false, message: err.message };
  // A network failure our side caused (an invalid argument, a destroyed agent) is not transient.
  if (err.code === 'network_error' && !err.retryable) return { type: FailureTypes.internal, retryable: false, message: err.message };
  // rate_limited, server_error, timeout, deadline_exceeded, network_error, not_found
  return { type: FailureTypes.unavailable, retryable: true, message: err.message };
}

/** SQLSTATE classes and codes that mean "the database is not there right now", and socket errors on the way to it. */
const DB_UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '53400', '40001', '40P01', '55P03', '57014']);
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const DB_UNAVAILABLE_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /client has encountered a connection error/i,
  /connection is closed/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /terminating connection/i,
];

/**
 * pg errors: 'unavailable' (connection lost, server restarting, too many clients, pool checkout
 * timeout, serialization or deadlock), 'rejected' (any other SQLSTATE: the statement itself is
 * wrong for this data), or null (not a database error).
 */
export function databaseFailure(err: unknown): 'unavailable' | 'rejected' | null {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    const message = e instanceof Error ? e.message : '';
    if (typeof code === 'string') {
      if (SOCKET_CODES.has(code)) return 'unavailable';
      if (/^[0-9A-Z]{5}$/.test(code)) {
        if (code.startsWith('08') || DB_UNAVAILABLE_SQLSTATES.has(code)) return 'unavailable';
        // A SQLSTATE comes from the server; an Intercom/undici error never reaches here.
        return 'rejected';
      }
    }
    if (DB_UNAVAILABLE_MESSAGES.some((re) => re.test(message))) return 'unavailable';
  }
  return null;
}

function errorName(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const n = (err as { name?: unknown }).name;
  return typeof n === 'string' ? n : undefined;
}

function isAbortError(err: unknown): boolean {
  return errorName(err) === 'AbortError';
}

/** Wraps every activity so each failure leaves it classified (see toActivityFailure). */
export function withClassifiedFailures<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const wrapped: Record<string, (...args: never[]) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        throw toActivityFailure(err);
      }
    };
  }
  return wrapped as T;
}
