/**
 * client_credentials (RFC 6749 §4.4): a confidential client gets a token for itself,
 * with the permissions it was granted on the requested API. No refresh token.
 */
import { invalidTarget, unauthorizedClient } from '../errors.js';
import { grantedScopes, resolveApi } from './audience.js';
import type { GrantHandler } from './grant.js';

export const clientCredentialsGrant: GrantHandler = {
  grantType: 'client_credentials',
  parameters: ['scope', 'resource', 'audience'],
  async handle(context, client, request) {
    if (client.type !== 'confidential') throw unauthorizedClient('public clients cannot use client_credentials');
    const api = await resolveApi(context.catalog, client, request.params);
    const allowed = client.permissions[api.identifier];
    if (!allowed) throw invalidTarget(`client is not allowed to access ${api.identifier}`);
    const scopes = grantedScopes(api, allowed, request.params.get('scope'));
    const issued = await context.accessTokens.issue({ api, clientId: client.clientId, subject: client.clientId, scopes });
    return {
      body: { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn, scope: scopes.join(' ') },
      issued: { subject: client.clientId, api: api.identifier, scopes, tokens: [{ kind: 'access_token', id: issued.jti }] },
    };
  },
};
