/** The grant types the token endpoint knows, by `grant_type`. Add a handler here to add a grant. */
import { authorizationCodeGrant } from './authorization-code.js';
import { clientCredentialsGrant } from './client-credentials.js';
import { deviceCodeGrant } from './device-code.js';
import type { GrantHandler } from './grant.js';
import { refreshTokenGrant } from './refresh-token.js';

export const GRANTS: readonly GrantHandler[] = [authorizationCodeGrant, clientCredentialsGrant, refreshTokenGrant, deviceCodeGrant];

export function grantRegistry(handlers: readonly GrantHandler[] = GRANTS): Map<string, GrantHandler> {
  return new Map(handlers.map((h) => [h.grantType, h]));
}
