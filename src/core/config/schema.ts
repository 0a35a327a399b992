/**
 * The declarative configuration: APIs, clients, users and roles, as written in a
 * YAML or JSON file for `tessera apply` and `tessera start --config`. One zod
 * schema is the documentation, the validation and the types. Secrets may be given
 * in clear (hashed on apply) or as hashes (what `tessera export` writes).
 */
import { z } from 'zod';
import { CLIENT_AUTH_METHODS, SIGNING_ALGS, type SigningAlg } from '../model.js';
import { duration } from './duration-schema.js';
import { attributesSchema, claimMappingSchema } from './claims-schema.js';
import { identityProviderSchema } from './identity-provider-schema.js';
import { registrationSchema } from './registration-schema.js';

const scopeName = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'a scope is printable ASCII without spaces, quotes or backslashes');

const absoluteUri = z.string().refine((value) => {
  try {
    return Boolean(new URL(value).protocol);
  } catch {
    return false;
  }
}, 'expected an absolute URI');

export const apiSchema = z.strictObject({
  identifier: absoluteUri.describe('the audience (aud) of tokens for this API'),
  name: z.string().min(1).describe('a name for people'),
  scopes: z
    .array(z.union([scopeName, z.strictObject({ name: scopeName, description: z.string().default('') })]))
    .default([])
    .describe('the scopes it defines: a name, or { name, description }')
    .transform((list) => list.map((s) => (typeof s === 'string' ? { name: s, description: '' } : s))),
  format: z.enum(['jwt', 'reference']).default('jwt').describe('access tokens as signed JWTs, or opaque references checked by introspection'),
  ttl: duration.default(3600).describe('access-token lifetime (default 1h)'),
  alg: z
    .enum(SIGNING_ALGS as [string, ...string[]])
    .default('ES256')
    .describe('the signing algorithm of its JWT access tokens'),
  claims: claimMappingSchema.optional().describe('extra claims in access tokens: name → user.<field> expression'),
  requireDpop: z.boolean().optional().describe('issue only DPoP-bound access tokens for this API (RFC 9449)'),
});

const permissions = z.record(absoluteUri, z.array(scopeName)).describe('scopes per API identifier');

const clientFields = z.strictObject({
  clientId: z
    .string()
    .regex(/^[\x21-\x7e]{1,128}$/, 'printable ASCII without spaces, at most 128 characters')
    .describe('printable ASCII, at most 128 characters'),
  name: z.string().min(1).optional().describe('a name shown to users on the consent page'),
  type: z
    .enum(['confidential', 'public'])
    .default('confidential')
    .describe('confidential clients keep a secret or a key; public ones (browser, native apps) cannot'),
  tokenEndpointAuthMethod: z
    .enum(CLIENT_AUTH_METHODS as [string, ...string[]])
    .optional()
    .describe('how it authenticates at the token endpoint (default: client_secret_basic, or none for a public client)'),
  secrets: z
    .array(z.string().min(16, 'a client secret must be at least 16 characters'))
    .default([])
    .describe('secrets in clear (at least 16 characters), hashed on apply; several allow rotation'),
  secretHashes: z.array(z.string()).default([]).describe('or secret hashes, as `tessera export` writes them'),
  redirectUris: z.array(absoluteUri).default([]).describe('exact-match redirect URIs (authorization code and implicit)'),
  grantTypes: z
    .array(z.string())
    .default(['client_credentials'])
    .describe('client_credentials, authorization_code, refresh_token, implicit, the device grant...'),
  api: absoluteUri.optional().describe('the default audience of its tokens'),
  scopes: z.array(scopeName).default([]).describe('what it is granted on `api`'),
  permissions: permissions.default({}).describe('what it is granted on other APIs: scopes per API identifier'),
  jwks: z
    .strictObject({ keys: z.array(z.record(z.string(), z.unknown())) })
    .optional()
    .describe('its public keys, for private_key_jwt'),
  jwksUri: absoluteUri.optional().describe('or where its public keys are published'),
  introspection: z.enum(['own', 'any']).default('own').describe('own: it may introspect its own tokens; any: a resource server that introspects every token'),
  postLogoutRedirectUris: z.array(absoluteUri).default([]).describe('where RP-initiated logout may return (exact match)'),
  firstParty: z.boolean().default(false).describe('users are not asked to consent'),
  allowImplicit: z.boolean().default(false).describe('the legacy implicit and hybrid response types'),
  requirePkce: z.boolean().default(false).describe('demand PKCE (always demanded of public clients)'),
  requireDpop: z.boolean().default(false).describe('the token endpoint demands a DPoP proof (RFC 9449): every token it gets is key-bound (docs/dpop.md)'),
  requirePushedAuthorizationRequests: z
    .boolean()
    .default(false)
    .describe('authorization requests only through the pushed authorization request endpoint, RFC 9126 (docs/par-and-jar.md)'),
  requireMfa: z.boolean().default(false).describe('users signing in to it must present a second factor, and set one up if they have none (docs/mfa.md)'),
  backchannelLogoutUri: absoluteUri.optional().describe('OIDC Back-Channel Logout: where a logout token is POSTed when a session it signed into ends'),
  backchannelLogoutSessionRequired: z.boolean().default(false).describe('the logout token carries `sid` (Tessera always includes it)'),
  sandbox: z.boolean().default(false).describe('silent sign-in into a per-user sandbox (docs/credentials.md)'),
  idTokenSignedResponseAlg: z
    .enum(SIGNING_ALGS as [SigningAlg, ...SigningAlg[]])
    .optional()
    .describe('the ID token signing algorithm (default RS256)'),
  claims: claimMappingSchema.optional().describe('extra claims in its ID tokens and access tokens: name → user.<field> expression'),
  identityProviders: z.array(z.string()).optional().describe('the upstream identity providers offered on its sign-in page (default: every enabled one)'),
});

type ClientFields = Omit<z.output<typeof clientFields>, 'secrets' | 'secretHashes'>;

/** Rules across a client's fields (kept apart so the API's input schema can reuse them). */
function refineClient(client: ClientFields, ctx: z.RefinementCtx): void {
  const method = client.tokenEndpointAuthMethod;
  if (client.type === 'public' && method && method !== 'none') {
    ctx.addIssue({ code: 'custom', path: ['tokenEndpointAuthMethod'], message: 'a public client authenticates with "none"' });
  }
  if (client.type === 'confidential' && method === 'none') {
    ctx.addIssue({ code: 'custom', path: ['tokenEndpointAuthMethod'], message: 'a confidential client cannot use "none"' });
  }
  if (method === 'private_key_jwt' && !client.jwks && !client.jwksUri) {
    ctx.addIssue({ code: 'custom', path: ['jwks'], message: 'private_key_jwt needs jwks or jwksUri' });
  }
  if (client.type === 'public' && client.grantTypes.includes('client_credentials')) {
    ctx.addIssue({ code: 'custom', path: ['grantTypes'], message: 'a public client cannot use client_credentials' });
  }
  if (client.grantTypes.includes('authorization_code') && client.redirectUris.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['redirectUris'], message: 'the authorization_code grant needs at least one redirect URI' });
  }
  if (client.allowImplicit && client.redirectUris.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['redirectUris'], message: 'allowImplicit needs at least one redirect URI' });
  }
  if (client.backchannelLogoutUri?.includes('#')) {
    ctx.addIssue({ code: 'custom', path: ['backchannelLogoutUri'], message: 'a back-channel logout URI must not contain a fragment' });
  }
  for (const [i, uri] of client.redirectUris.entries()) {
    if (uri.includes('#')) ctx.addIssue({ code: 'custom', path: ['redirectUris', i], message: 'a redirect URI must not contain a fragment' });
  }
  if (client.scopes.length > 0 && !client.api) {
    ctx.addIssue({ code: 'custom', path: ['scopes'], message: '"scopes" are granted on "api": set api too' });
  }
}

export const clientSchema = clientFields.superRefine(refineClient);

/** A client as the management API takes it: secrets are generated by the server, never sent in. */
export const clientApiSchema = clientFields.omit({ secrets: true, secretHashes: true }).superRefine(refineClient);

/** Control characters (NUL, newlines, escapes) in a username would forge log lines and confuse lookups. */
const username = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\p{Cc}\u2028\u2029]+$/u, 'a username must not contain control characters');

export const userSchema = z.strictObject({
  username: username.describe('unique; no control characters'),
  name: z.string().optional().describe('released with the profile scope'),
  email: z.string().email().optional().describe('released with the email scope'),
  emailVerified: z.boolean().optional(),
  password: z.string().min(8, 'a password must be at least 8 characters').optional().describe('in clear (at least 8 characters), hashed with scrypt on apply'),
  passwordHash: z.string().optional().describe('or the hash, as `tessera export` writes it'),
  active: z.boolean().default(true).describe('false: the user cannot sign in'),
  roles: z.array(z.string()).default([]).describe('names of roles held'),
  attributes: attributesSchema.optional().describe('a JSON object of custom attributes, for claim mappings'),
});

export const roleSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  permissions: permissions.default({}).describe('scopes the role grants, per API identifier'),
});

export const serviceAccountSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[\w.-]{1,100}$/, 'letters, digits, ".", "_" and "-", at most 100')
    .describe('letters, digits, ".", "_" and "-", at most 100'),
  description: z.string().optional(),
  roles: z.array(z.string()).default([]).describe('names of roles held'),
  active: z.boolean().default(true).describe('false: its tokens are refused'),
});

/** Mail: SMTP (a URL, or its parts), the sender, and the flows that send mail (docs/email.md). */
export const emailSchema = z.strictObject({
  smtp: z
    .string()
    .regex(/^smtps?:\/\/[^/]/, 'an smtp:// or smtps:// URL')
    .optional()
    .describe('the SMTP server as an smtp:// or smtps:// URL (or give host, port...)'),
  host: z.string().min(1).optional().describe('SMTP server host'),
  port: z.number().int().min(1).max(65535).optional().describe('SMTP server port'),
  secure: z.boolean().optional().describe('TLS from the start (port 465); otherwise STARTTLS when the server offers it'),
  user: z.string().optional().describe('SMTP user name'),
  password: z.string().optional().describe('SMTP password'),
  from: z.string().min(3).optional().describe('the sender, e.g. "Tessera <no-reply@example.com>"; required with SMTP'),
  templates: z.string().optional().describe('a directory of template overrides: <kind>.subject, <kind>.txt, <kind>.html'),
  passwordReset: z.boolean().optional().describe('"forgot password" mail (default: on with SMTP or outside production)'),
  verification: z.boolean().optional().describe('email address verification mail (same default)'),
  invitations: z.boolean().optional().describe('invitation mail (same default)'),
  signUp: z
    .strictObject({
      enabled: z.boolean().default(false).describe('people may create their own account, verified by mail'),
      domains: z
        .array(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'a domain such as example.com'))
        .default([])
        .describe('only addresses at these domains may sign up; empty for any'),
    })
    .optional()
    .describe('self-service sign-up (docs/email.md)'),
});

/** Client ID metadata documents (docs/agents.md): client_ids that are https URLs of a document describing the client. */
export const clientIdMetadataDocumentsSchema = z.strictObject({
  enabled: z.boolean().default(false).describe('accept client_ids that are https URLs of client ID metadata documents'),
  permissions: permissions.optional().describe("what such clients may ask users for, per API (default: every API's scopes but the management API's)"),
  allowPrivateAddresses: z.boolean().default(false).describe('fetch documents from loopback, private and link-local addresses too (tests, closed networks)'),
  caFile: z.string().min(1).optional().describe('a PEM file of extra certificate authorities trusted when fetching (besides NODE_EXTRA_CA_CERTS)'),
  maxBytes: z.number().int().min(512).max(65536).default(5120).describe('largest document accepted, in bytes'),
  timeout: z.number().min(0.1).max(30).default(5).describe('seconds a fetch may take, all in'),
  cacheMinSeconds: z.number().int().min(0).max(86400).default(60).describe('shortest time a document is kept, whatever its Cache-Control says'),
  cacheMaxSeconds: z.number().int().min(1).max(604800).default(86400).describe('longest time a document is kept'),
});

/** OIDC Back-Channel Logout (docs/backchannel-logout.md): how logout tokens are delivered to clients' backchannelLogoutUri. */
export const backchannelLogoutSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('POST logout tokens to the clients a session signed into when it ends'),
  allowPrivateAddresses: z.boolean().default(false).describe('deliver to loopback and private addresses too, and over plain http (tests, closed networks)'),
  timeout: z.number().min(0.1).max(30).default(5).describe('seconds one delivery attempt may take, all in'),
  retries: z.number().int().min(0).max(5).default(3).describe('attempts after the first when a client does not answer 2xx (1 s, 5 s, 25 s... apart)'),
});

export const serverSchema = z.strictObject({
  issuer: absoluteUri.optional().describe('the public issuer URL, the base of every URL Tessera builds'),
  port: z.number().int().min(0).max(65535).optional().describe('port to listen on'),
  host: z.string().optional().describe('address to bind'),
  auditRetentionDays: z.number().int().min(1).optional().describe('days audit records are kept; older ones are pruned daily'),
  workers: z
    .union([z.number().int().min(1).max(256), z.literal('auto')])
    .optional()
    .describe('server processes on this machine, sharing the port and the store: a number, or "auto" for one per core'),
  shutdownTimeout: z.number().min(0).max(3600).optional().describe('seconds requests in flight get to finish on SIGTERM or SIGINT'),
  trustProxy: z
    .union([z.array(z.string()), z.number().int().min(0)])
    .optional()
    .describe('proxies whose X-Forwarded-For / Forwarded headers are believed: addresses, CIDR ranges, "loopback", "private", or a hop count'),
  cacheTtl: z
    .number()
    .min(0.1)
    .max(3600)
    .optional()
    .describe('seconds APIs, clients and keys stay cached when no change message arrives (the safety net of the change feed)'),
  refreshTokenReuseGrace: z
    .number()
    .int()
    .min(0)
    .max(300)
    .optional()
    .describe('seconds a rotated refresh token may be retried, answered with the same successor; 0 for none'),
  clientAssertionMaxLifetime: z.number().int().min(30).max(86400).optional().describe('longest private_key_jwt assertion lifetime accepted, in seconds'),
  clientAssertionAudience: z
    .enum(['issuer-or-endpoint', 'issuer'])
    .optional()
    .describe('private_key_jwt `aud`: the issuer, token endpoint or endpoint called, or the issuer alone (FAPI 2.0)'),
  requirePushedAuthorizationRequests: z
    .boolean()
    .optional()
    .describe('every client must push its authorization requests to /par (RFC 9126 require_pushed_authorization_requests)'),
  pushedAuthorizationRequestTtl: z.number().int().min(5).max(600).optional().describe("seconds a pushed request's request_uri stays usable"),
  deviceCodeTtl: z.number().int().min(60).max(3600).optional().describe('device flow (RFC 8628): seconds a device code and its user code stay valid'),
  devicePollInterval: z.number().int().min(1).max(60).optional().describe('device flow: seconds a device must wait between polls of the token endpoint'),
  dpopIatWindow: z.number().int().min(5).max(600).optional().describe("DPoP (RFC 9449): how old a proof's iat may be, in seconds (5 s of clock skew ahead)"),
  dpopNonce: z.boolean().optional().describe('DPoP: demand server-provided nonces (use_dpop_nonce, DPoP-Nonce header); stateless, rotating every 5 minutes'),
  database: z
    .strictObject({
      schema: z
        .string()
        .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case PostgreSQL identifier')
        .optional()
        .describe("PostgreSQL schema of Tessera's tables"),
      poolSize: z.number().int().min(1).max(1000).optional().describe('PostgreSQL connections pooled per server process'),
      connectTimeout: z.number().min(0.1).max(600).optional().describe('seconds to wait for a PostgreSQL connection'),
      statementTimeout: z.number().min(0).max(3600).optional().describe('seconds a PostgreSQL statement may run (enforced by the server); 0 for none'),
      idleTimeout: z.number().min(1).max(3600).optional().describe('seconds an idle PostgreSQL connection stays open'),
    })
    .optional()
    .describe('the PostgreSQL connection pool (timeouts in seconds)'),
  email: emailSchema.optional().describe('mail: SMTP, the sender and the flows that send mail (docs/email.md)'),
  mfa: z
    .strictObject({
      required: z
        .enum(['none', 'admins', 'everyone'])
        .default('none')
        .describe('who must sign in with a second factor besides those who set one up: nobody, the administrators, or everyone'),
      roles: z.array(z.string().min(1)).default([]).describe('holders of these roles must sign in with a second factor too'),
    })
    .optional()
    .describe('second factors (docs/mfa.md)'),
  webauthn: z
    .strictObject({
      rpId: z
        .string()
        .regex(/^[a-z0-9.-]+$/i, 'a domain name, such as example.com')
        .optional()
        .describe("the relying party id: the issuer's host, or a parent domain of it"),
      rpName: z.string().min(1).max(100).optional().describe('the name authenticators show for Tessera'),
      origins: z.array(z.url()).min(1).optional().describe("origins passkey ceremonies may come from (default: the issuer's)"),
    })
    .optional()
    .describe("passkeys' relying party, when it is not the issuer's host and origin (docs/mfa.md, behind a proxy)"),
  clientIdMetadataDocuments: clientIdMetadataDocumentsSchema
    .optional()
    .describe('client_ids that are https URLs of a client ID metadata document (docs/agents.md); off by default'),
  backchannelLogout: backchannelLogoutSchema.optional().describe('OIDC Back-Channel Logout deliveries (docs/backchannel-logout.md)'),
});

export const configFileSchema = z.strictObject({
  server: serverSchema.optional().describe('server settings, read at start; flags and the environment win over them'),
  apis: z.array(apiSchema).default([]).describe('the APIs (resource servers) tokens are for'),
  clients: z.array(clientSchema).default([]).describe('the applications that ask for tokens'),
  users: z.array(userSchema).default([]).describe('people who sign in'),
  roles: z.array(roleSchema).default([]).describe('named bundles of permissions on APIs'),
  serviceAccounts: z.array(serviceAccountSchema).default([]).describe('non-human identities for service access tokens'),
  identityProviders: z.array(identityProviderSchema).default([]).describe('upstream sign-in providers (docs/identity-providers.md)'),
  registration: registrationSchema.optional().describe('dynamic client registration (RFC 7591/7592), read at start like `server:` (docs/registration.md)'),
});

export type ConfigFile = z.output<typeof configFileSchema>;
export type ApiInput = z.output<typeof apiSchema>;
export type ClientInput = z.output<typeof clientSchema>;
export type UserInput = z.output<typeof userSchema>;
export type RoleInput = z.output<typeof roleSchema>;
export type ServiceAccountInput = z.output<typeof serviceAccountSchema>;
