import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_BODY_BYTES = 1_000_000;

export interface Reply {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/** Intercom-style request ids: 20 lowercase characters. */
export function requestId(): string {
  return randomBytes(10).toString('hex');
}

export function errorReply(status: number, code: string, message: string, headers?: Record<string, string>): Reply {
  return { status, body: JSON.stringify({ type: 'error.list', request_id: requestId(), errors: [{ code, message }] }), headers };
}

export function jsonReply(value: unknown): Reply {
  return { status: 200, body: JSON.stringify(value) };
}

export class BodyTooLarge extends Error {}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge('request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function send(res: ServerResponse, reply: Reply): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(reply.body)),
    ...reply.headers,
  });
  res.end(reply.body);
}

/**
 * Headers at once, then the body one byte every `everyMs` until done or the client leaves: the simulator's slow
 * detail, and the client tests' slow answers.
 */
export function trickle(res: ServerResponse, reply: Reply, everyMs: number): void {
  const body = Buffer.from(reply.body, 'utf8');
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length), ...reply.headers });
  let i = 0;
  const timer = setInterval(() => {
    if (res.destroyed || i >= body.length) {
      clearInterval(timer);
      if (!res.destroyed) res.end();
      return;
    }
    res.write(body.subarray(i, ++i));
  }, everyMs);
  res.once('close', () => clearInterval(timer));
}
