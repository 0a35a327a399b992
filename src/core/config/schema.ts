/**
 * The declarative configuration: APIs, clients, users and roles, as written in a
 * YAML or JSON file for `tessera apply` and `tessera start --config`. One zod
 * schema is the documentation, the validation and the types. Secrets may be given
 * in clear (hashed on apply) or as hashes (what `tessera export` writes).
 */
import { z } from 'zod';
import { CLIENT_AUTH_METHODS, SIGNING_ALGS, type SigningAlg } from '../model.js';
import { parseDuration } from './duration.js';
import { attributesSchema, claimMappingSchema } from './claims-schema.js';
import { identityProviderSchema } from './identity-provider-schema.js';
import { registrationSchema } from './registration-schema.js';

/** A duration: seconds as a number, or a string such as "90s", "15m", "1h", "30d" (the CLI's form too). */
export const duration = z
  .union([z.number(), z.string()])
  .transform((value, ctx) => {
    const seconds = parseDuration(value);
    if (seconds === undefined) {
      ctx.addIssue({ code: 'custom', message: 'expected a positive duration such as 3600, "15m", "1h" or "30d"' });
      return z.NEVER;
    }
    return seconds;
  });

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
  name: z.string().min(1),
  scopes: z
    .array(z.union([scopeName, z.strictObject({ name: scopeName, description: z.string().default('') })]))
    .default([])
    .transform((list) => list.map((s) => (typeof s === 'string' ? { name: s, description: '' } : s))),
  format: z.enum(['jwt', 'reference']).default('jwt'),
  ttl: duration.default(3600),
  alg: z.enum(SIGNING_ALGS as [string, ...string[]]).default('ES256'),
  claims: claimMappingSchema.optional().describe('extra claims in access tokens: name → user.<field> expression'),
  requireDpop: z.boolean().optional().describe('issue only DPoP-bound access tokens for this API (RFC 9449)'),
});

const permissions = z.record(absoluteUri, z.array(scopeName));

const clientFields = z.strictObject({
  clientId: z.string().regex(/^[\x21-\x7e]{1,128}$/, 'printable ASCII without spaces, at most 128 characters'),
  name: z.string().min(1).optional(),
  type: z.enum(['confidential', 'public']).default('confidential'),
  tokenEndpointAuthMethod: z.enum(CLIENT_AUTH_METHODS as [string, ...string[]]).optional(),
  secrets: z.array(z.string().min(16, 'a client secret must be at least 16 characters')).default([]),
  secretHashes: z.array(z.string()).default([]),
  redirectUris: z.array(absoluteUri).default([]),
  grantTypes: z.array(z.string()).default(['client_credentials']),
  api: absoluteUri.optional(),
  scopes: z.array(scopeName).default([]),
  permissions: permissions.default({}),
  jwks: z.strictObject({ keys: z.array(z.record(z.string(), z.unknown())) }).optional(),
  jwksUri: absoluteUri.optional(),
  introspection: z.enum(['own', 'any']).default('own'),
  postLogoutRedirectUris: z.array(absoluteUri).default([]),
  firstParty: z.boolean().default(false),
  allowImplicit: z.boolean().default(false),
  requirePkce: z.boolean().default(false),
  /** Demand a DPoP proof (RFC 9449) at the token endpoint: every token it gets is key-bound. */
  requireDpop: z.boolean().default(false),
  /** Authorization requests only through the pushed authorization request endpoint (RFC 9126). */
  requirePushedAuthorizationRequests: z.boolean().default(false),
  /** Users signing in to this client must present a second factor (and set one up if they have none). */
  requireMfa: z.boolean().default(false),
  /** OIDC Back-Channel Logout: where a logout token is POSTed when a session the client signed into ends. */
  backchannelLogoutUri: absoluteUri.optional(),
  /** backchannel_logout_session_required: the logout token carries `sid` (Tessera always includes it). */
  backchannelLogoutSessionRequired: z.boolean().default(false),
  sandbox: z.boolean().default(false),
  /** OIDC's id_token_signed_response_alg: RS256 (the default), ES256 or EdDSA. */
  idTokenSignedResponseAlg: z.enum(SIGNING_ALGS as [SigningAlg, ...SigningAlg[]]).optional(),
  claims: claimMappingSchema.optional(),
  identityProviders: z.array(z.string()).optional(),
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
  username,
  name: z.string().optional(),
  email: z.string().email().optional(),
  emailVerified: z.boolean().optional(),
  password: z.string().min(8, 'a password must be at least 8 characters').optional(),
  passwordHash: z.string().optional(),
  active: z.boolean().default(true),
  roles: z.array(z.string()).default([]),
  attributes: attributesSchema.optional(),
});

export const roleSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  permissions: permissions.default({}),
});

export const serviceAccountSchema = z.strictObject({
  name: z.string().regex(/^[\w.-]{1,100}$/, 'letters, digits, ".", "_" and "-", at most 100'),
  description: z.string().optional(),
  roles: z.array(z.string()).default([]),
  active: z.boolean().default(true),
});

/** Mail: SMTP (a URL, or its parts), the sender, and the flows that send mail (docs/email.md). */
export const emailSchema = z.strictObject({
  smtp: z.string().regex(/^smtps?:\/\//, 'an smtp:// or smtps:// URL').optional(),
  host: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
  secure: z.boolean().optional(),
  user: z.string().optional(),
  password: z.string().optional(),
  from: z.string().min(3).optional(),
  /** A directory of template overrides: <kind>.subject, <kind>.txt, <kind>.html. */
  templates: z.string().optional(),
  passwordReset: z.boolean().optional(),
  verification: z.boolean().optional(),
  invitations: z.boolean().optional(),
  signUp: z
    .strictObject({
      enabled: z.boolean().default(false),
      domains: z.array(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'a domain such as example.com')).default([]),
    })
    .optional(),
});

/** Client ID metadata documents (docs/agents.md): client_ids that are https URLs of a document describing the client. */
export const clientIdMetadataDocumentsSchema = z.strictObject({
  enabled: z.boolean().default(false).describe('accept client_ids that are https URLs of client ID metadata documents'),
  permissions: permissions.optional().describe("what such clients may ask users for, per API (default: every API's scopes but the management API's)"),
  allowPrivateAddresses: z.boolean().default(false).describe('fetch documents from loopback, private and link-local addresses too (tests, closed networks)'),
  caFile: z.string().min(1).optional().describe('a PEM file of extra certificate authorities trusted when fetching (besides NODE_EXTRA_CA_CERTS)'),
  maxBytes: z.number().int().min(512).max(65536).default(5120).describe('largest document accepted, in bytes'),
  timeout: z.number().min(0.1).max(30).default(5).describe('seconds a fetch may take, all in'),
  cacheMinSeconds: z.number().int().min(0).max(86400).default(60).describe("shortest time a document is kept, whatever its Cache-Control says"),
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
  issuer: absoluteUri.optional(),
  port: z.number().int().min(0).max(65535).optional(),
  host: z.string().optional(),
  /** Days audit records are kept; older ones are pruned daily. */
  auditRetentionDays: z.number().int().min(1).optional(),
  /** Server processes on this machine: a number, or "auto" for one per core (`start --workers`). */
  workers: z.union([z.number().int().min(1).max(256), z.literal('auto')]).optional(),
  /** Seconds in-flight requests get to finish on SIGTERM/SIGINT. */
  shutdownTimeout: z.number().min(0).max(3600).optional(),
  /** Proxies whose X-Forwarded-For / Forwarded headers are believed: addresses, CIDR ranges, "loopback", "private", or a hop count. */
  trustProxy: z.union([z.array(z.string()), z.number().int().min(0)]).optional(),
  /** Seconds APIs, clients and keys stay cached when no change message arrives (the safety net of the change feed). */
  cacheTtl: z.number().min(0.1).max(3600).optional(),
  /** Seconds a rotated refresh token may be retried, answered with the same successor; 0 for none. */
  refreshTokenReuseGrace: z.number().int().min(0).max(300).optional(),
  /** Longest private_key_jwt assertion lifetime accepted, in seconds. */
  clientAssertionMaxLifetime: z.number().int().min(30).max(86400).optional(),
  /** private_key_jwt `aud`: the issuer, token endpoint or endpoint called (default), or the issuer alone (FAPI 2.0). */
  clientAssertionAudience: z.enum(['issuer-or-endpoint', 'issuer']).optional(),
  /** Every client must push its authorization requests to /par (RFC 9126 §5 require_pushed_authorization_requests). */
  requirePushedAuthorizationRequests: z.boolean().optional(),
  /** Seconds a pushed request's request_uri stays usable (default 60). */
  pushedAuthorizationRequestTtl: z.number().int().min(5).max(600).optional(),
  /** Device flow (RFC 8628): seconds a device code and its user code stay valid. */
  deviceCodeTtl: z.number().int().min(60).max(3600).optional(),
  /** Device flow: seconds a device must wait between polls of the token endpoint. */
  devicePollInterval: z.number().int().min(1).max(60).optional(),
  /** DPoP (RFC 9449): how old a proof's iat may be, in seconds (default 60; 5 s of clock skew ahead). */
  dpopIatWindow: z.number().int().min(5).max(600).optional(),
  /** DPoP: demand server-provided nonces (use_dpop_nonce, DPoP-Nonce header); stateless, rotating every 5 minutes. */
  dpopNonce: z.boolean().optional(),
  /** PostgreSQL connection pool (seconds for timeouts). */
  database: z
    .strictObject({
      schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case PostgreSQL identifier').optional(),
      poolSize: z.number().int().min(1).max(1000).optional(),
      connectTimeout: z.number().min(0.1).max(600).optional(),
      statementTimeout: z.number().min(0).max(3600).optional(),
      idleTimeout: z.number().min(1).max(3600).optional(),
    })
    .optional(),
  email: emailSchema.optional(),
  /** Who must sign in with a second factor: nobody besides those who set one up, the administrators, or everyone; and holders of `roles`. */
  mfa: z
    .strictObject({
      required: z.enum(['none', 'admins', 'everyone']).default('none'),
      roles: z.array(z.string().min(1)).default([]),
    })
    .optional(),
  /** Passkeys' relying party, when it is not the issuer's host and origin (docs/mfa.md#behind-a-proxy). */
  webauthn: z
    .strictObject({
      rpId: z.string().regex(/^[a-z0-9.-]+$/i, 'a domain name, such as example.com').optional(),
      rpName: z.string().min(1).max(100).optional(),
      origins: z.array(z.url()).min(1).optional(),
    })
    .optional(),
  clientIdMetadataDocuments: clientIdMetadataDocumentsSchema.optional(),
  backchannelLogout: backchannelLogoutSchema.optional(),
});

export const configFileSchema = z.strictObject({
  server: serverSchema.optional(),
  apis: z.array(apiSchema).default([]),
  clients: z.array(clientSchema).default([]),
  users: z.array(userSchema).default([]),
  roles: z.array(roleSchema).default([]),
  serviceAccounts: z.array(serviceAccountSchema).default([]),
  identityProviders: z.array(identityProviderSchema).default([]),
  /** Dynamic client registration (RFC 7591/7592), read at start like `server:` (docs/registration.md). */
  registration: registrationSchema.optional(),
});

export type ConfigFile = z.output<typeof configFileSchema>;
export type ApiInput = z.output<typeof apiSchema>;
export type ClientInput = z.output<typeof clientSchema>;
export type UserInput = z.output<typeof userSchema>;
export type RoleInput = z.output<typeof roleSchema>;
export type ServiceAccountInput = z.output<typeof serviceAccountSchema>;
