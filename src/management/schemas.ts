/**
 * What the management API returns. Inputs reuse the declarative configuration's
 * schemas (src/core/config/schema.ts), so a resource is described the same way in a
 * config file and in an API call. Secrets never appear in an output.
 */
import { z } from 'zod';

export const epochSeconds = z.number().int().describe('seconds since 1970-01-01T00:00:00Z');

export const apiOut = z.object({
  identifier: z.string(),
  name: z.string(),
  scopes: z.array(z.object({ name: z.string(), description: z.string() })),
  format: z.enum(['jwt', 'reference']),
  ttl: z.number().int(),
  alg: z.enum(['ES256', 'RS256', 'EdDSA']),
  claims: z.record(z.string(), z.string()).optional().describe('extra access-token claims: name → user.<field> expression'),
  requireDpop: z.boolean().optional().describe('only DPoP-bound access tokens are issued for this API'),
});

export const clientOut = z.object({
  clientId: z.string(),
  name: z.string(),
  type: z.enum(['confidential', 'public']),
  tokenEndpointAuthMethod: z.enum(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']),
  secrets: z.array(z.object({ id: z.string(), createdAt: epochSeconds, expiresAt: epochSeconds.optional() })).describe('never the secrets themselves'),
  redirectUris: z.array(z.string()),
  postLogoutRedirectUris: z.array(z.string()),
  grantTypes: z.array(z.string()),
  api: z.string().optional(),
  permissions: z.record(z.string(), z.array(z.string())),
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).optional(),
  jwksUri: z.string().optional(),
  introspection: z.enum(['own', 'any']),
  firstParty: z.boolean(),
  allowImplicit: z.boolean(),
  requirePkce: z.boolean(),
  requireDpop: z.boolean(),
  requirePushedAuthorizationRequests: z.boolean().describe('authorization requests only through /par (RFC 9126)'),
  requireMfa: z.boolean().describe('users signing in to it must present a second factor'),
  backchannelLogoutUri: z.string().optional().describe('where logout tokens are POSTed when a session it signed into ends (OIDC Back-Channel Logout)'),
  backchannelLogoutSessionRequired: z.boolean(),
  idTokenSignedResponseAlg: z.enum(['ES256', 'RS256', 'EdDSA']).optional(),
  sandbox: z.boolean(),
  claims: z.record(z.string(), z.string()).optional().describe('extra ID-token and userinfo claims'),
  identityProviders: z.array(z.string()).optional().describe('upstream providers offered on its sign-in page (absent: all)'),
  registration: z
    .object({
      registeredAt: epochSeconds,
      initialAccessTokenId: z.string().optional().describe('the initial access token it registered with'),
      metadata: z.record(z.string(), z.unknown()).describe('its RFC 7591 metadata as registered'),
    })
    .optional()
    .describe('set when the client registered itself (RFC 7591): unverified, third-party, always asks consent'),
});

export const initialAccessTokenOut = z.object({
  id: z.string(),
  name: z.string().optional(),
  createdAt: epochSeconds,
  expiresAt: epochSeconds.optional(),
  singleUse: z.boolean(),
  usedAt: epochSeconds.optional(),
  revokedAt: epochSeconds.optional(),
  createdBy: z.string().optional(),
  status: z.enum(['usable', 'expired', 'used', 'revoked']),
});

export const initialAccessTokenCreatedOut = z.object({
  token: z.string().describe('shown only in this response: send it as "Authorization: Bearer" to the registration endpoint'),
  initialAccessToken: initialAccessTokenOut,
});

export const registrationOut = z.object({
  enabled: z.boolean(),
  registrationEndpoint: z.string().optional(),
  initialAccessToken: z.enum(['required', 'optional']),
  grantTypes: z.array(z.string()),
  tokenEndpointAuthMethods: z.array(z.string()),
  apis: z.array(z.string()).optional().describe('absent: every API but the management API'),
  scopes: z.array(z.string()).optional().describe('absent: every scope of those APIs'),
  redirectUriSchemes: z.array(z.string()),
  privateUseSchemes: z
    .enum(['any', 'reverse-domain'])
    .describe('which private-use redirect URI schemes count: any an app may claim (cursor:), or reverse-domain ones only'),
  maxPerAddress: z.number().int(),
  throttleWindow: z.number().int(),
  secretLifetime: z.number().int().optional(),
});

export const newSecretOut = z.object({
  id: z.string(),
  secret: z.string().describe('shown only in this response'),
});

export const clientCreatedOut = z.object({ client: clientOut, secret: newSecretOut.optional() });

export const userOut = z.object({
  id: z.string(),
  username: z.string(),
  name: z.string().optional(),
  email: z.string().optional(),
  emailVerified: z.boolean().optional(),
  active: z.boolean(),
  roles: z.array(z.string()),
  hasPassword: z.boolean(),
  signUpPending: z.boolean().optional().describe('signed up and not yet verified (inactive until then)'),
  attributes: z.record(z.string(), z.unknown()).optional(),
});

export const identityProviderOut = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(['oidc', 'oauth2']),
  issuer: z.string().optional(),
  authorizationEndpoint: z.string().optional(),
  tokenEndpoint: z.string().optional(),
  userinfoEndpoint: z.string().optional(),
  clientId: z.string(),
  hasClientSecret: z.boolean().describe('the secret itself is never shown'),
  clientAuthMethod: z.enum(['client_secret_basic', 'client_secret_post', 'none']),
  scopes: z.array(z.string()),
  userinfo: z.boolean(),
  trustEmail: z.boolean(),
  mapping: z.record(z.string(), z.string()),
  roleMappings: z.array(z.object({ claim: z.string(), value: z.string(), roles: z.array(z.string()) })),
  attributes: z.record(z.string(), z.string()),
  enabled: z.boolean(),
  redirectUri: z.string().describe('register this redirect URI at the provider'),
});

export const federatedIdentityOut = z.object({
  providerId: z.string(),
  subject: z.string(),
  userId: z.string(),
  createdAt: epochSeconds,
  lastSignInAt: epochSeconds.optional(),
  email: z.string().optional(),
  username: z.string().optional(),
});

export const roleOut = z.object({
  name: z.string(),
  description: z.string().optional(),
  permissions: z.record(z.string(), z.array(z.string())),
});

export const serviceAccountOut = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().optional(),
  roles: z.array(z.string()),
  active: z.boolean(),
  createdAt: epochSeconds,
});

export const tokenSummaryOut = z.object({
  id: z.string(),
  kind: z.enum(['access_token', 'refresh_token', 'personal_access_token', 'service_access_token', 'user_token', 'action_token']),
  name: z.string().optional(),
  subject: z.string(),
  api: z.string().optional(),
  scopes: z.array(z.string()),
  endpoints: z.array(z.string()).optional(),
  dpopJkt: z.string().optional().describe('RFC 9449: the thumbprint of the DPoP key the token is bound to'),
  createdAt: epochSeconds,
  expiresAt: epochSeconds.optional(),
  lastUsedAt: epochSeconds.optional(),
  revokedAt: epochSeconds.optional(),
});

export const tokenCreatedOut = z.object({ token: z.string().describe('shown only in this response'), summary: tokenSummaryOut });

export const consentOut = z.object({ userId: z.string(), clientId: z.string(), scopes: z.array(z.string()), createdAt: epochSeconds, updatedAt: epochSeconds });

export const keyOut = z.object({
  kid: z.string(),
  alg: z.enum(['ES256', 'RS256', 'EdDSA']),
  status: z.enum(['next', 'current', 'retired']),
  createdAt: epochSeconds,
  removeAfter: epochSeconds.optional(),
});

export const revokedOut = z.object({ revoked: z.number().int().describe('how many tokens were revoked'), consents: z.number().int().optional() });

export const sessionOut = z.object({
  id: z.string().describe('the session id (the ID token `sid`), never the cookie'),
  userId: z.string(),
  createdAt: epochSeconds.describe('when the user signed in'),
  lastSeenAt: epochSeconds.describe('last request seen with this session (to the minute)'),
  expiresAt: epochSeconds,
  userAgent: z.string().optional(),
  ip: z.string().optional(),
  amr: z.array(z.string()).optional().describe('how the user signed in (RFC 8176: pwd, otp, mfa); absent when not recorded'),
});

export const grantOut = z.object({
  id: z.string().describe('the grant id shared by the tokens of one authorization'),
  clientId: z.string(),
  api: z.string().optional(),
  scopes: z.array(z.string()),
  createdAt: epochSeconds,
  refreshedAt: epochSeconds.optional().describe('last refresh-token rotation'),
  lastUsedAt: epochSeconds.optional(),
  expiresAt: epochSeconds.describe('when its last usable token expires unless refreshed'),
});
