/**
 * response_type and response_mode. `code` is the default flow; the implicit and
 * hybrid types put tokens in the front channel and are off unless the client opted
 * in (OAuth 2.1 drops implicit). Tokens are never sent in a query string.
 */
import { authorizationError, invalidRequest, unauthorizedClient } from '../errors.js';
import type { AuthorizeState, ResponseMode } from './authorization-request.js';

export const RESPONSE_TYPES = ['code', 'id_token', 'id_token token', 'code id_token', 'code token', 'code id_token token'] as const;
const RESPONSE_MODES: ResponseMode[] = ['query', 'fragment', 'form_post'];

export function checkResponseType(state: AuthorizeState): void {
  const client = state.client!;
  const raw = state.params.get('response_type');
  const responseType = raw?.split(' ').filter(Boolean).sort().join(' ');
  const frontChannelTokens = responseType !== undefined && responseType !== 'code' && responseType !== 'none';
  const defaultMode: ResponseMode = frontChannelTokens ? 'fragment' : 'query';
  const requestedMode = state.params.get('response_mode');
  const mode = RESPONSE_MODES.includes(requestedMode as ResponseMode) ? (requestedMode as ResponseMode) : defaultMode;
  // From here on, errors go back to the client in the mode it asked for.
  state.redirectTarget = { redirectUri: state.request.redirectUri!, responseMode: mode === 'query' && frontChannelTokens ? 'fragment' : mode };

  if (responseType === undefined) throw invalidRequest('missing required parameter response_type');
  if (requestedMode !== undefined && !RESPONSE_MODES.includes(requestedMode as ResponseMode)) {
    throw invalidRequest(`unsupported response_mode ${requestedMode}`);
  }
  if (!(RESPONSE_TYPES as readonly string[]).includes(responseType)) {
    throw authorizationError('unsupported_response_type', `response_type ${raw} is not supported`);
  }
  if (frontChannelTokens && mode === 'query') throw invalidRequest('tokens cannot be returned in the query: use fragment or form_post');
  if (frontChannelTokens && !client.allowImplicit) {
    throw authorizationError('unsupported_response_type', `client has not opted in to the legacy response_type ${responseType}`);
  }
  if (responseType.includes('code') && !client.grantTypes.includes('authorization_code')) {
    throw unauthorizedClient('client is not allowed to use the authorization code flow');
  }
  state.request.responseType = responseType;
  state.request.responseMode = mode;
}
