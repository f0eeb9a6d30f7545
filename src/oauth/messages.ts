import type { StateVerdict } from '../repositories/oauthStates';
import type { LinkVerdict } from '../repositories/connectLinks';

// What the admin reads at each refusal: what happened and what to do, never an internal detail.

export const NEED_SIGN_IN =
  'To connect Intercom, open the connect link your operator sent you, or start from your account in the product while signed in.';

export const LINK_REFUSED: Record<Exclude<LinkVerdict, 'ok'>, string> = {
  unknown: 'This connect link is not valid. Ask your operator for a new one.',
  used: 'This connect link was already used (each link works once). Ask your operator for a new one.',
  expired: 'This connect link has expired. Ask your operator for a new one.',
};

export const BUSY = 'Too many Intercom connections are in progress right now. Please try again in a few minutes.';

export const STATE_MALFORMED = 'This sign-in answer is incomplete or damaged, so nothing was connected. Please start again.';

export const OTHER_BROWSER =
  'Refused: this browser did not start the connection (its sign-in cookie is missing or different), so nothing was connected. Start again in the browser you use for the product.';

export const STATE_REFUSED: Record<Exclude<StateVerdict, 'ok'>, string> = {
  unknown: 'Refused: this connection attempt is unknown (too old, or not started here). Please start again.',
  expired: 'Refused: this connection attempt expired before Intercom answered. Please start again.',
  reused: 'Refused: this connection attempt was already completed (a reused answer). Nothing more was changed.',
};

export const ACCESS_DENIED = 'Intercom did not grant access (the request was declined), so nothing was connected. You can start again whenever you are ready.';

export const MISSING_CODE = 'Intercom answered without an authorization code, so nothing was connected. Please start again.';

/** Intercom's (OAuth 2.0's) error codes other than access_denied are named, never echoed verbatim when unexpected. */
export function intercomError(code: string, requestId: string): string {
  const known = /^[a-z_]{1,40}$/.test(code) ? code : 'an unrecognised error';
  return `Intercom reported ${known} instead of granting access, so nothing was connected. Please start again; if it keeps happening, quote this reference to support: ${requestId}`;
}
