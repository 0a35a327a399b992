/**
 * The `registration:` block of the configuration file: dynamic client registration
 * (RFC 7591/7592), off unless `enabled: true`. Everything else narrows what a client
 * that registers itself may ask for; the defaults suit public native and web apps and
 * MCP clients that sign users in (authorization code + PKCE, loopback redirects on any
 * port, refresh tokens) and command-line tools (the device grant), and nothing more.
 */
import { z } from 'zod';
import { CLIENT_AUTH_METHODS } from '../model.js';
import { duration } from './duration-schema.js';

export const REDIRECT_URI_KINDS = ['https', 'loopback', 'private-use'] as const;
export type RedirectUriKind = (typeof REDIRECT_URI_KINDS)[number];
export const PRIVATE_USE_SCHEMES = ['any', 'reverse-domain'] as const;
export type PrivateUseSchemes = (typeof PRIVATE_USE_SCHEMES)[number];

/** Grants a self-registered client may use: never client_credentials (it would act with no user and no consent). */
export const REGISTRABLE_GRANT_TYPES = ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'] as const;

const scopeName = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'a scope is printable ASCII without spaces, quotes or backslashes');

export const registrationSchema = z.strictObject({
  enabled: z.boolean().default(false).describe('open POST /register (RFC 7591); off, the endpoint answers 404'),
  initialAccessToken: z
    .enum(['required', 'optional'])
    .default('optional')
    .describe('required: only callers holding an initial access token may register; optional: anyone may, and a token presented is still checked'),
  grantTypes: z
    .array(z.enum(REGISTRABLE_GRANT_TYPES))
    .min(1)
    .default([...REGISTRABLE_GRANT_TYPES])
    .describe(
      'grant types a client may register: by default all three, so MCP clients, native apps (code + PKCE, refresh tokens) and command-line tools (the device grant) need nothing configured; never client_credentials',
    ),
  tokenEndpointAuthMethods: z
    .array(z.enum(CLIENT_AUTH_METHODS as [string, ...string[]]))
    .min(1)
    .default(['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'])
    .describe('how a registered client may authenticate at the token endpoint'),
  apis: z
    .array(z.string().url())
    .optional()
    .describe("APIs (identifiers) a registered client may ask users for; absent: every API but Tessera's own management API"),
  scopes: z.array(scopeName).optional().describe("scopes a registered client may ask for (on those APIs, plus OpenID Connect's); absent: all of theirs"),
  redirectUriSchemes: z
    .array(z.enum(REDIRECT_URI_KINDS))
    .min(1)
    .default(['https', 'loopback', 'private-use'])
    .describe('redirect URIs allowed: https, loopback (http://127.0.0.1, [::1] or localhost, any port), private-use (com.example.app:/cb, cursor://…)'),
  privateUseSchemes: z
    .enum(PRIVATE_USE_SCHEMES)
    .default('any')
    .describe(
      "which private-use schemes count: any (the default) takes a scheme an app may claim, such as cursor: or vscode: as MCP clients use, never the web's, mail, file, script or operating-system ones; reverse-domain takes only RFC 8252 §7.1's com.example.app:",
    ),
  secretLifetime: duration.optional().describe('lifetime of an issued client secret; absent: it does not expire (client_secret_expires_at 0)'),
  maxPerAddress: z
    .number()
    .int()
    .min(1)
    .max(100000)
    .default(20)
    .describe('registrations allowed per client address within throttleWindow before further ones wait'),
  throttleWindow: duration.default(3600).describe('the window of maxPerAddress (default 1h)'),
});

export type RegistrationInput = z.output<typeof registrationSchema>;
