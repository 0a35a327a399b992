/**
 * The `registration:` block of the configuration file: dynamic client registration
 * (RFC 7591/7592), off unless `enabled: true`. Everything else narrows what a client
 * that registers itself may ask for; the defaults suit public native and web apps and
 * MCP clients that sign users in (authorization code + PKCE, loopback redirects on any
 * port, refresh tokens) and command-line tools (the device grant), and nothing more.
 */
import { z } from 'zod';
import { CLIENT_AUTH_METHODS } from '../model.js';
import { parseDuration } from './duration.js';

// Seconds, or "15m", "1h", "30d" (as in schema.ts; defined here too so the two files do not import each other).
const duration = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const seconds = parseDuration(value);
  if (seconds === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected a positive duration such as 3600, "15m", "1h" or "30d"' });
    return z.NEVER;
  }
  return seconds;
});

export const REDIRECT_URI_KINDS = ['https', 'loopback', 'private-use'] as const;
export type RedirectUriKind = (typeof REDIRECT_URI_KINDS)[number];

/** Grants a self-registered client may use: never client_credentials (it would act with no user and no consent). */
export const REGISTRABLE_GRANT_TYPES = ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'] as const;

const scopeName = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'a scope is printable ASCII without spaces, quotes or backslashes');

export const registrationSchema = z.strictObject({
  /** Opens POST /register (RFC 7591). Off by default: the endpoint answers 404. */
  enabled: z.boolean().default(false),
  /** "required": only callers holding an initial access token may register; "optional": anyone may, a token presented is still checked. */
  initialAccessToken: z.enum(['required', 'optional']).default('optional'),
  /**
   * Grant types a client may register: by default all three, so that MCP clients and
   * other native apps (code + PKCE on a loopback redirect, refresh tokens) and
   * command-line tools (the device grant) need nothing configured. Never client_credentials.
   */
  grantTypes: z.array(z.enum(REGISTRABLE_GRANT_TYPES)).min(1).default([...REGISTRABLE_GRANT_TYPES]),
  /** How a registered client may authenticate at the token endpoint. */
  tokenEndpointAuthMethods: z
    .array(z.enum(CLIENT_AUTH_METHODS as [string, ...string[]]))
    .min(1)
    .default(['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt']),
  /** APIs (identifiers) a registered client may ask users for; absent: every API but Tessera's own management API. */
  apis: z.array(z.string().url()).optional(),
  /** Scopes a registered client may ask for (on those APIs, plus OpenID Connect's); absent: all of theirs. */
  scopes: z.array(scopeName).optional(),
  /** Redirect URIs allowed: https, loopback (http://127.0.0.1, [::1] or localhost, any port), private-use (com.example.app:/cb). */
  redirectUriSchemes: z.array(z.enum(REDIRECT_URI_KINDS)).min(1).default(['https', 'loopback', 'private-use']),
  /** Lifetime of an issued client secret; absent: it does not expire (client_secret_expires_at 0). */
  secretLifetime: duration.optional(),
  /** Registrations allowed per client address within `throttleWindow` before further ones wait. */
  maxPerAddress: z.number().int().min(1).max(100000).default(20),
  throttleWindow: duration.default(3600),
});

export type RegistrationInput = z.output<typeof registrationSchema>;
