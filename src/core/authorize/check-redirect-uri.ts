/**
 * redirect_uri must equal a registered URI exactly (RFC 9700 §4.1.3): no prefix, no
 * wildcard, no normalisation. It may be omitted only when the client registered
 * exactly one and the request is not OpenID Connect. A bad one is never redirected to.
 * One exception, for native apps that registered themselves: a loopback redirect URI
 * matches on any port (RFC 8252 §7.3), as the app learns its port only when it runs.
 */
import { invalidRequest } from '../errors.js';
import { matchesLoopbackAnyPort } from '../registration/redirect-uris.js';
import type { AuthorizeState } from './authorization-request.js';

export function checkRedirectUri(state: AuthorizeState): void {
  const client = state.client!;
  const given = state.params.get('redirect_uri');
  const openid = (state.params.get('scope') ?? '').split(' ').includes('openid');
  if (given === undefined) {
    if (openid || client.redirectUris.length !== 1) throw invalidRequest('missing required parameter redirect_uri');
    state.request.redirectUri = client.redirectUris[0]!;
    state.request.redirectUriGiven = false;
    return;
  }
  const loopback = client.registration !== undefined && client.redirectUris.some((uri) => matchesLoopbackAnyPort(uri, given));
  if (!client.redirectUris.includes(given) && !loopback) throw invalidRequest('redirect_uri is not registered for this client');
  state.request.redirectUri = given;
  state.request.redirectUriGiven = true;
}
