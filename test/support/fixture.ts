/**
 * The configuration most black-box tests run against: two APIs (one JWT, one
 * reference) and one client per authentication method.
 */
import { exportJWK, generateKeyPair, type CryptoKey } from 'jose';

export const ORGANIZER = 'https://api.organizer.test';
export const MAPPERS = 'https://api.mappers.test';

export const PASSWORDS = { alice: 'alice-password-123', bob: 'bob-password-123' } as const;
export const CALLBACK = 'https://calendar.test/callback';
export const SPA_CALLBACK = 'https://todos.test/callback';

export const SECRETS = {
  calendar: 'calendar-app-secret-0123456789',
  basic: 'basic-client-secret-0123456789',
  post: 'post-client-secret-0123456789',
  introspector: 'introspector-secret-0123456789',
} as const;

export interface Fixture {
  config: Record<string, unknown>;
  /** Private key of the private_key_jwt client. */
  clientPrivateKey: CryptoKey;
  clientKid: string;
}

export async function makeFixture(): Promise<Fixture> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const clientKid = 'jwt-client-key-1';
  const jwk = { ...(await exportJWK(publicKey)), kid: clientKid, alg: 'ES256', use: 'sig' };
  const config = {
    apis: [
      {
        identifier: ORGANIZER,
        name: 'Organizer',
        format: 'jwt',
        ttl: 600,
        scopes: [
          { name: 'read:calendars', description: 'Read calendars' },
          { name: 'write:calendars', description: 'Write calendars' },
          { name: 'read:contacts', description: 'Read contacts' },
        ],
      },
      {
        identifier: MAPPERS,
        name: 'World Mappers',
        format: 'reference',
        ttl: 300,
        scopes: ['geocode', 'route:plan'],
      },
    ],
    clients: [
      {
        clientId: 'basic-client',
        secrets: [SECRETS.basic],
        api: ORGANIZER,
        scopes: ['read:calendars', 'write:calendars'],
        permissions: { [MAPPERS]: ['geocode'] },
      },
      {
        clientId: 'post-client',
        tokenEndpointAuthMethod: 'client_secret_post',
        secrets: [SECRETS.post],
        api: MAPPERS,
        scopes: ['geocode', 'route:plan'],
      },
      {
        clientId: 'jwt-client',
        tokenEndpointAuthMethod: 'private_key_jwt',
        jwks: { keys: [jwk] },
        api: ORGANIZER,
        scopes: ['read:contacts'],
      },
      {
        clientId: 'introspector',
        secrets: [SECRETS.introspector],
        grantTypes: [],
        introspection: 'any',
      },
      {
        clientId: 'public-app',
        type: 'public',
        grantTypes: ['authorization_code'],
        redirectUris: ['https://app.test/callback'],
      },
      {
        // Seed 002's CalendarApp: a third-party web app acting for users with consent.
        clientId: 'calendar-app',
        name: 'CalendarApp',
        secrets: [SECRETS.calendar],
        grantTypes: ['authorization_code', 'refresh_token'],
        redirectUris: [CALLBACK],
        postLogoutRedirectUris: ['https://calendar.test/bye'],
        api: ORGANIZER,
      },
      {
        // Seed 002's MyTodos.io: a single-page app, public, PKCE.
        clientId: 'todo-spa',
        name: 'MyTodos',
        type: 'public',
        grantTypes: ['authorization_code', 'refresh_token'],
        redirectUris: [SPA_CALLBACK],
        api: ORGANIZER,
      },
      {
        clientId: 'first-party',
        name: 'Organizer Web',
        secrets: ['first-party-secret-0123456789'],
        grantTypes: ['authorization_code', 'refresh_token'],
        redirectUris: ['https://organizer.test/callback'],
        api: ORGANIZER,
        firstParty: true,
      },
      {
        clientId: 'legacy-spa',
        name: 'Legacy SPA',
        secrets: ['legacy-spa-secret-0123456789'],
        grantTypes: ['authorization_code', 'implicit'],
        redirectUris: ['https://legacy.test/callback'],
        api: ORGANIZER,
        allowImplicit: true,
      },
      {
        // Seed 001's silent sign-in: no consent screen, a sandbox of the user.
        clientId: 'sandbox-app',
        name: 'Sandbox App',
        secrets: ['sandbox-app-secret-0123456789'],
        grantTypes: ['authorization_code', 'refresh_token'],
        redirectUris: ['https://sandbox.test/callback'],
        api: ORGANIZER,
        sandbox: true,
      },
      {
        // A CLI or CI runner that trades PATs for short-lived JWTs (RFC 8693), for Organizer only.
        clientId: 'exchanger',
        secrets: ['exchanger-secret-0123456789'],
        grantTypes: ['urn:ietf:params:oauth:grant-type:token-exchange'],
        permissions: { [ORGANIZER]: ['read:calendars', 'write:calendars', 'read:contacts'] },
      },
    ],
    roles: [
      { name: 'calendar-reader', permissions: { [ORGANIZER]: ['read:calendars'] } },
      { name: 'calendar-writer', permissions: { [ORGANIZER]: ['read:calendars', 'write:calendars'] } },
    ],
    serviceAccounts: [{ name: 'nightly-sync', roles: ['calendar-writer'] }],
    users: [
      { username: 'alice', name: 'Alice Liddell', email: 'alice@example.test', emailVerified: true, password: PASSWORDS.alice, roles: ['calendar-reader'] },
      { username: 'bob', email: 'bob@example.test', password: PASSWORDS.bob, active: false },
    ],
  };
  return { config, clientPrivateKey: privateKey, clientKid };
}
