/**
 * The admin console's own OAuth client: a first-party public client (PKCE, no secret,
 * no consent screen) whose tokens are for the management API. The server creates it at
 * every start, like the management API and the admin role, so it is always as defined
 * here (a deleted or edited one comes back at the next start).
 */
import type { Client } from '../core/model.js';
import { managementAudience } from './management-api.js';

export const CONSOLE_CLIENT_ID = 'tessera-console';
export const CONSOLE_PATH = '/admin/';

export function consoleClient(issuer: string): Client {
  const home = `${issuer}${CONSOLE_PATH}`;
  return {
    clientId: CONSOLE_CLIENT_ID,
    name: 'Tessera admin console',
    type: 'public',
    tokenEndpointAuthMethod: 'none',
    secrets: [],
    redirectUris: [home],
    postLogoutRedirectUris: [home],
    grantTypes: ['authorization_code'],
    api: managementAudience(issuer),
    permissions: {},
    introspection: 'own',
    firstParty: true,
  };
}
