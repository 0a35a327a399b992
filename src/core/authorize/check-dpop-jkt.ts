/**
 * `dpop_jkt` (RFC 9449 §10): the client names the DPoP key the code will be redeemed
 * with, binding the code to it end to end; the token endpoint accepts the code only
 * with a proof from that key (grants/authorization-code.ts).
 */
import { invalidRequest } from '../errors.js';
import { hasResponseType, type AuthorizeState } from './authorization-request.js';

/** A base64url-encoded SHA-256 JWK thumbprint (RFC 7638): 43 characters. */
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

export function checkDpopJkt(state: AuthorizeState): void {
  const jkt = state.params.get('dpop_jkt');
  if (jkt === undefined || !hasResponseType(state.request as { responseType: string }, 'code')) return;
  if (!THUMBPRINT.test(jkt)) throw invalidRequest('dpop_jkt must be the base64url SHA-256 JWK thumbprint of the DPoP key');
  state.request.dpopJkt = jkt;
}
