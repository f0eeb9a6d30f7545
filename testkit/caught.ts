import { isIntercomError } from '../src/intercom/client';
import type { IntercomError } from '../src/intercom/errors';

/** The IntercomError `p` rejects with; fails when it succeeds or rejects with anything else. */
export async function caught(p: Promise<unknown>): Promise<IntercomError> {
  try {
    await p;
  } catch (e) {
    if (isIntercomError(e)) return e;
    throw e;
  }
  throw new Error('expected an IntercomError, the call succeeded');
}
