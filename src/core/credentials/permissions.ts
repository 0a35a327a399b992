/**
 * What a user or service account may do: the union of its roles' permissions, per API.
 * Every place that hands out a user's or service account's scopes (PATs and SATs at
 * creation and at every use, delegated tokens, test tokens, the management API's
 * caller) narrows with `allowedScopes`, so a role taken away takes effect everywhere.
 */
import type { Api } from '../model.js';
import type { RoleRepository } from '../ports/storage.js';

export type Permissions = Record<string, string[]>;

type Roles = Pick<RoleRepository, 'getRole'>;

export async function permissionsOf(roles: Roles, roleNames: readonly string[]): Promise<Permissions> {
  const merged: Record<string, Set<string>> = {};
  for (const name of roleNames) {
    const role = await roles.getRole(name);
    for (const [api, scopes] of Object.entries(role?.permissions ?? {})) {
      merged[api] ??= new Set();
      for (const scope of scopes) merged[api].add(scope);
    }
  }
  return Object.fromEntries(Object.entries(merged).map(([api, scopes]) => [api, [...scopes].sort()]));
}

/**
 * The scopes of an API that the roles allow now. With an `Api`, only scopes it still
 * defines; with a bare identifier (an API that may be gone), what the roles list.
 */
export async function allowedScopes(roles: Roles, roleNames: readonly string[], api: Api | string): Promise<string[]> {
  const identifier = typeof api === 'string' ? api : api.identifier;
  const listed = (await permissionsOf(roles, roleNames))[identifier] ?? [];
  return typeof api === 'string' ? listed : listed.filter((s) => api.scopes.some((d) => d.name === s));
}

/** `scopes` without those the owner's roles no longer allow on `api`, in their order. */
export async function narrowToRoles(roles: Roles, roleNames: readonly string[], api: Api | string, scopes: readonly string[]): Promise<string[]> {
  const allowed = await allowedScopes(roles, roleNames, api);
  return scopes.filter((s) => allowed.includes(s));
}
