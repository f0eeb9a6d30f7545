import type { Dispatcher } from 'undici';
import { intHeader, type ResponseHeaders } from './retryPolicy';

type Body = Dispatcher.ResponseData['body'];

export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
  constructor(
    readonly capBytes: number,
    /** Content-Length when the server declared one; else the bytes read when the cap was crossed. */
    readonly seenBytes: number,
    readonly declared: boolean,
  ) {
    super(`body over ${capBytes} bytes`);
  }
}

/**
 * Reads a body as UTF-8, holding at most `capBytes`: a Content-Length over the cap is refused before a byte is read,
 * and a body without one is cut off (socket destroyed) as soon as it crosses the cap.
 */
export async function readCapped(body: Body, headers: ResponseHeaders, capBytes: number): Promise<string> {
  const declared = intHeader(headers, 'content-length');
  if (declared !== undefined && declared > capBytes) {
    body.destroy();
    throw new BodyTooLargeError(capBytes, declared, true);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > capBytes) {
      body.destroy();
      throw new BodyTooLargeError(capBytes, total, false);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

/** An error body, for its error codes only: over the cap it is dropped (''), never an error of its own. */
export async function readErrorText(body: Body, headers: ResponseHeaders, capBytes: number): Promise<string> {
  try {
    return await readCapped(body, headers, capBytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError) return '';
    throw err;
  }
}
