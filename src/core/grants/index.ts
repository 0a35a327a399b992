/**
 * The grant types the token endpoint knows, by `grant_type`: add a handler here to add
 * a grant type. (What a user granted an app is another thing: tokens/user-grants.ts.)
 */
import { authorizationCodeGrant } from './authorization-code.js';
import { clientCredentialsGrant } from './client-credentials.js';
import { deviceCodeGrant } from './device-code.js';
import type { GrantHandler } from './grant.js';
import { refreshTokenGrant } from './refresh-token.js';

export const GRANT_TYPES: readonly GrantHandler[] = [authorizationCodeGrant, clientCredentialsGrant, refreshTokenGrant, deviceCodeGrant];

export function grantTypeRegistry(handlers: readonly GrantHandler[] = GRANT_TYPES): Map<string, GrantHandler> {
  return new Map(handlers.map((h) => [h.grantType, h]));
}
