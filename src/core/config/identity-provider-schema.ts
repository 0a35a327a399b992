/**
 * `identityProviders:` in the configuration file (and the management API's input):
 * upstream OpenID Connect providers (discovered from their issuer) and plain OAuth 2
 * ones such as GitHub (endpoints and a userinfo URL given, JSON mapped to user fields).
 * The client secret is given in clear (encrypted on apply) or as `clientSecretEncrypted`,
 * the form `tessera export` writes.
 */
import { z } from 'zod';
import { LOOPBACK_HOSTS } from './loopback-url.js';

export const PROVIDER_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
const claimPath = z.string().regex(/^[\w-]+(\.[\w-]+)*$/, 'a claim name or dot path such as "groups" or "org.id"');

/** https, or http to this machine only (a provider in tests or development). */
export const upstreamUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  } catch {
    return false;
  }
}, 'expected an https URL (http only for localhost)');

const mappingSchema = z.strictObject({
  subject: claimPath.optional(),
  username: claimPath.optional(),
  name: claimPath.optional(),
  email: claimPath.optional(),
  emailVerified: claimPath.optional(),
});

const fields = z.strictObject({
  id: z
    .string()
    .regex(PROVIDER_ID, 'lower-case letters, digits and "-", at most 40, starting with a letter or digit')
    .describe('lower-case; in URLs and the redirect URI <issuer>/upstream/<id>/callback'),
  name: z.string().min(1).max(100).describe('shown on the button: "Sign in with <name>"'),
  type: z.enum(['oidc', 'oauth2']).describe('oidc: discovered from its issuer, with an ID token; oauth2: endpoints and a userinfo URL given'),
  issuer: upstreamUrl.optional().describe('oidc: the issuer, for discovery'),
  authorizationEndpoint: upstreamUrl.optional().describe('oauth2: the authorization endpoint'),
  tokenEndpoint: upstreamUrl.optional().describe('oauth2: the token endpoint'),
  userinfoEndpoint: upstreamUrl.optional().describe("oauth2: where the user's JSON is read"),
  clientId: z.string().min(1).max(500).describe('the client ID the provider gave Tessera'),
  clientSecret: z.string().min(1).max(2000).optional().describe('its secret, in clear (encrypted on apply)'),
  clientSecretEncrypted: z.string().optional().describe('or encrypted, as `tessera export` writes it'),
  clientAuthMethod: z
    .enum(['client_secret_basic', 'client_secret_post', 'none'])
    .default('client_secret_basic')
    .describe('how Tessera authenticates to the provider (none: PKCE only)'),
  scopes: z
    .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/))
    .optional()
    .describe('scopes asked of the provider (oidc default: openid profile email)'),
  userinfo: z.boolean().default(false).describe('oidc: also read the userinfo endpoint'),
  trustEmail: z.boolean().default(false).describe('may link to an existing account by verified email'),
  mapping: mappingSchema.default({}).describe('where the user fields are in the claims or JSON (dot paths); subject is required for oauth2'),
  roleMappings: z
    .array(z.strictObject({ claim: claimPath, value: z.string(), roles: z.array(z.string()).min(1) }))
    .default([])
    .describe('roles given when a claim has a value'),
  attributes: z
    .record(z.string().regex(/^[\w-]{1,100}$/), claimPath)
    .default({})
    .describe('user attribute ← upstream claim (dot path)'),
  enabled: z.boolean().default(true).describe('false: hidden from the sign-in page and refused'),
});

type Fields = z.output<typeof fields>;

function refineProvider(
  p: Omit<Fields, 'clientSecret' | 'clientSecretEncrypted'> & Partial<Pick<Fields, 'clientSecret' | 'clientSecretEncrypted'>>,
  ctx: z.RefinementCtx,
): void {
  if (p.type === 'oidc' && !p.issuer) ctx.addIssue({ code: 'custom', path: ['issuer'], message: 'an oidc provider needs its issuer' });
  if (p.type === 'oauth2') {
    for (const key of ['authorizationEndpoint', 'tokenEndpoint', 'userinfoEndpoint'] as const) {
      if (!p[key]) ctx.addIssue({ code: 'custom', path: [key], message: `an oauth2 provider needs ${key}` });
    }
    if (!p.mapping.subject)
      ctx.addIssue({
        code: 'custom',
        path: ['mapping', 'subject'],
        message: 'an oauth2 provider needs mapping.subject: the field of its userinfo JSON that identifies the user (GitHub: "id")',
      });
  }
  if (p.clientSecret !== undefined && p.clientSecretEncrypted !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['clientSecret'], message: 'give clientSecret or clientSecretEncrypted, not both' });
  }
  if (p.clientAuthMethod === 'none' && (p.clientSecret !== undefined || p.clientSecretEncrypted !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['clientAuthMethod'], message: 'clientAuthMethod "none" takes no client secret' });
  }
}

export const identityProviderSchema = fields.superRefine(refineProvider);

/** As the management API takes it: the secret only in clear (it is encrypted by the server). */
export const identityProviderApiSchema = fields.omit({ clientSecretEncrypted: true }).superRefine(refineProvider);

export type IdentityProviderInput = z.output<typeof identityProviderSchema>;
