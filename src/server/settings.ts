import type { Config } from '../config';
import type { HttpLimits } from './limits';

export function httpLimits(c: Config): HttpLimits {
  if (c.HTTP_HEADERS_TIMEOUT_MS > c.HTTP_REQUEST_TIMEOUT_MS) {
    throw new Error(`HTTP_HEADERS_TIMEOUT_MS (${c.HTTP_HEADERS_TIMEOUT_MS}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${c.HTTP_REQUEST_TIMEOUT_MS})`);
  }
  return {
    requestTimeoutMs: c.HTTP_REQUEST_TIMEOUT_MS,
    headersTimeoutMs: c.HTTP_HEADERS_TIMEOUT_MS,
    keepAliveTimeoutMs: c.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    idleTimeoutMs: c.HTTP_REQUEST_TIMEOUT_MS,
    maxRequestsPerSocket: 100,
    bodyLimitBytes: c.HTTP_BODY_LIMIT_BYTES,
  };
}

export function trustProxy(c: Config): boolean | number | string[] {
  const v = c.HTTP_TRUST_PROXY;
  if (v === undefined || v === 'false') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  return v.split(',');
}
