/**
 * The management API's own audience and scopes. Every route names the one scope it
 * needs (read:* for reading, write:* for changing), so a token can be given exactly
 * the access a task needs (least privilege).
 */
import type { Api } from '../core/model.js';

export const MANAGEMENT_RESOURCES = [
  'apis',
  'clients',
  'users',
  'roles',
  'service_accounts',
  'tokens',
  'consents',
  'sessions',
  'grants',
  'keys',
  'audit',
  'dev_tools',
  'mail',
  'identity_providers',
  'registration',
] as const;
export type ManagementResource = (typeof MANAGEMENT_RESOURCES)[number];
export type ManagementScope = `${'read' | 'write'}:${ManagementResource}`;

export const MANAGEMENT_SCOPES: ManagementScope[] = MANAGEMENT_RESOURCES.flatMap((r) =>
  r === 'audit' ? [`read:${r}` as const] : [`read:${r}` as const, `write:${r}` as const],
);

/** The built-in role that holds every management scope. */
export const ADMIN_ROLE = 'tessera-admin';

const SPECIAL_DESCRIPTIONS: Partial<Record<ManagementScope, string>> = {
  'read:dev_tools': 'Inspect any token: decode it and learn why it is valid or not',
  'write:dev_tools': 'Mint test access tokens for any API, client or user',
  'read:registration': 'See whether dynamic client registration is open, and list initial access tokens',
  'write:registration': 'Create and revoke initial access tokens (whoever holds one may register clients)',
};

export function managementAudience(issuer: string): string {
  return `${issuer}/api/v1`;
}

/**
 * Where the management API's RFC 9728 protected resource metadata is served: the
 * well-known segment before the API's path, after the issuer's (for an issuer without a
 * path, exactly RFC 9728 §3.1's URL for the resource ${issuer}/api/v1).
 */
export function managementResourceMetadataUrl(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/.well-known/oauth-protected-resource/api/v1`;
}

/** The management API's protected resource metadata (RFC 9728 §2). */
export function managementResourceMetadata(issuer: string): Record<string, unknown> {
  return {
    resource: managementAudience(issuer),
    authorization_servers: [issuer],
    scopes_supported: MANAGEMENT_SCOPES,
    bearer_methods_supported: ['header'],
    resource_name: 'Tessera Management API',
  };
}

export function managementApi(issuer: string): Api {
  return {
    identifier: managementAudience(issuer),
    name: 'Tessera Management API',
    scopes: MANAGEMENT_SCOPES.map((name) => {
      const [verb, resource] = name.split(':') as [string, string];
      return { name, description: SPECIAL_DESCRIPTIONS[name] ?? `${verb === 'read' ? 'Read' : 'Create, change and delete'} ${resource.replace('_', ' ')}` };
    }),
    format: 'jwt',
    ttl: 900,
    alg: 'ES256',
  };
}
