/**
 * PKCE (RFC 7636). Required of public clients and of clients that ask for it; only
 * S256 is accepted, since `plain` protects nothing once the request leaks.
 */
import { invalidRequest } from '../errors.js';
import { hasResponseType, type AuthorizeState } from './authorization-request.js';

const CHALLENGE = /^[A-Za-z0-9._~-]{43,128}$/;

export function checkPkce(state: AuthorizeState): void {
  const client = state.client!;
  const challenge = state.params.get('code_challenge');
  const method = state.params.get('code_challenge_method');
  if (!hasResponseType(state.request as { responseType: string }, 'code')) return;
  if (challenge === undefined) {
    if (method !== undefined) throw invalidRequest('code_challenge_method without code_challenge');
    if (client.type === 'public' || client.requirePkce) throw invalidRequest('PKCE is required: send code_challenge with code_challenge_method=S256');
    return;
  }
  if (method !== 'S256') throw invalidRequest('code_challenge_method must be S256');
  if (!CHALLENGE.test(challenge)) throw invalidRequest('code_challenge must be 43 to 128 characters of [A-Za-z0-9._~-]');
  state.request.codeChallenge = challenge;
}
