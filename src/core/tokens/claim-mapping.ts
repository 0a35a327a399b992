/**
 * Declarative claim mappings: `claims: { roles: user.roles, tenant: user.attributes.tenant }`
 * on an API (its access tokens and their introspection) or on a client (its ID tokens
 * and userinfo). An expression names a field of the user; a value that is absent
 * leaves the claim out. Claims that carry the token's meaning cannot be mapped.
 */

/** Claims a mapping may never set: RFC 9068 / RFC 7519 ones, OpenID Connect protocol ones, and introspection's own. */
export const RESERVED_CLAIMS: readonly string[] = [
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'scope',
  'client_id',
  'cnf',
  'auth_time',
  'nonce',
  'sid',
  'at_hash',
  'c_hash',
  'azp',
  'acr',
  'amr',
  'active',
  'token_type',
  'sandbox',
];

/** `user.<field>` or `user.attributes.<path>`; the path's segments are letters, digits, `_` and `-`. */
export const CLAIM_EXPRESSION = /^user\.(id|username|name|email|email_verified|roles|permissions|attributes(\.[\w-]+)*)$/;
export const CLAIM_NAME = /^[\w.:-]{1,100}$/;

/** What an expression reads: a user, or a service account (roles and permissions only). */
export interface ClaimSource {
  id: string;
  username?: string;
  name?: string;
  email?: string;
  emailVerified?: boolean;
  roles: string[];
  attributes?: Record<string, unknown>;
  /** On an API: its scopes the roles grant. On a client: every API's. */
  permissions?: unknown;
}

export function claimMappingProblem(name: string, expression: string): string | undefined {
  if (RESERVED_CLAIMS.includes(name)) return `claim ${name} is reserved and cannot be mapped`;
  if (!CLAIM_NAME.test(name)) return `claim name ${name} must be 1-100 letters, digits, "_", "-", "." or ":"`;
  if (!CLAIM_EXPRESSION.test(expression)) {
    return `claim ${name}: "${expression}" is not an expression: use user.id, user.username, user.name, user.email, user.email_verified, user.roles, user.permissions or user.attributes.<path>`;
  }
  return undefined;
}

/** Reads a dot path ("a.b.c") in a JSON value; undefined when any step is missing. */
export function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current) || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function evaluate(expression: string, source: ClaimSource): unknown {
  const field = expression.slice('user.'.length);
  if (field.startsWith('attributes')) {
    const path = field.slice('attributes'.length + 1);
    return path ? readPath(source.attributes, path) : source.attributes;
  }
  switch (field) {
    case 'id':
      return source.id;
    case 'username':
      return source.username;
    case 'name':
      return source.name;
    case 'email':
      return source.email;
    case 'email_verified':
      return source.email === undefined ? undefined : (source.emailVerified ?? false);
    case 'roles':
      return source.roles;
    case 'permissions':
      return source.permissions;
    default:
      return undefined;
  }
}

export function usesPermissions(mapping: Record<string, string>): boolean {
  return Object.values(mapping).includes('user.permissions');
}

/** The mapped claims for one source; reserved names are skipped even if a stored mapping had one. */
export function mapClaims(mapping: Record<string, string> | undefined, source: ClaimSource): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const [name, expression] of Object.entries(mapping ?? {})) {
    if (RESERVED_CLAIMS.includes(name)) continue;
    const value = evaluate(expression, source);
    if (value !== undefined) claims[name] = value;
  }
  return claims;
}
