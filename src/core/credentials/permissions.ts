/** What a user or service account may do: the union of its roles' permissions, per API. */
import type { RoleRepository } from '../ports/storage.js';

export type Permissions = Record<string, string[]>;

export async function permissionsOf(roles: Pick<RoleRepository, 'getRole'>, roleNames: readonly string[]): Promise<Permissions> {
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
