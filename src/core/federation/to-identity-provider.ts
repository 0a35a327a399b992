/**
 * From the configuration's (or management API's) input to the stored provider:
 * defaults per type, and the client secret encrypted (or kept, when none is given).
 */
import type { IdentityProviderInput } from '../config/identity-provider-schema.js';
import { ConfigError } from '../errors.js';
import type { IdentityProvider, UpstreamUserMapping } from '../model.js';
import type { ProviderSecrets } from './provider-secret.js';

/** OpenID Connect's standard claims; OAuth 2 providers are shaped like GitHub unless mapped otherwise. */
const DEFAULT_MAPPINGS: Record<IdentityProvider['type'], UpstreamUserMapping> = {
  oidc: { subject: 'sub', username: 'preferred_username', name: 'name', email: 'email', emailVerified: 'email_verified' },
  oauth2: { subject: 'id', username: 'login', name: 'name', email: 'email' },
};

export const DEFAULT_SCOPES: Record<IdentityProvider['type'], string[]> = { oidc: ['openid', 'profile', 'email'], oauth2: [] };

export function toIdentityProvider(
  input: Omit<IdentityProviderInput, 'clientSecretEncrypted'> & { clientSecretEncrypted?: string },
  existing: IdentityProvider | undefined,
  secrets: ProviderSecrets,
  where: string,
): IdentityProvider {
  const mapping: UpstreamUserMapping = { ...DEFAULT_MAPPINGS[input.type] };
  for (const [key, path] of Object.entries(input.mapping)) if (path !== undefined) mapping[key as keyof UpstreamUserMapping] = path;
  const provider: IdentityProvider = {
    id: input.id,
    name: input.name,
    type: input.type,
    clientId: input.clientId,
    clientAuthMethod: input.clientAuthMethod,
    scopes: input.scopes ?? DEFAULT_SCOPES[input.type],
    userinfo: input.userinfo,
    trustEmail: input.trustEmail,
    mapping,
    roleMappings: input.roleMappings,
    attributes: input.attributes,
    enabled: input.enabled,
  };
  if (input.issuer) provider.issuer = input.issuer;
  if (input.authorizationEndpoint) provider.authorizationEndpoint = input.authorizationEndpoint;
  if (input.tokenEndpoint) provider.tokenEndpoint = input.tokenEndpoint;
  if (input.userinfoEndpoint) provider.userinfoEndpoint = input.userinfoEndpoint;
  if (input.clientAuthMethod === 'none') return provider;
  let encrypted = input.clientSecretEncrypted ?? existing?.clientSecretEncrypted;
  if (input.clientSecret !== undefined && !secrets.holds(input.id, existing?.clientSecretEncrypted, input.clientSecret)) {
    encrypted = secrets.encrypt(input.id, input.clientSecret);
  }
  if (encrypted === undefined) throw new ConfigError(`${where}.clientSecret: provider ${input.id} uses ${input.clientAuthMethod} and needs a client secret`);
  provider.clientSecretEncrypted = encrypted;
  return provider;
}

/** The redirect URI Tessera uses with a provider: register it at the upstream. */
export function upstreamRedirectUri(issuer: string, providerId: string): string {
  return `${issuer}/upstream/${providerId}/callback`;
}
