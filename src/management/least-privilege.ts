/**
 * Least privilege in the management API, in one place: a caller can only grant,
 * assign, mint or delegate permissions it holds itself. Every route that puts scopes
 * somewhere (a role, a client, a role assignment, a token for someone else, a test
 * token) asks here first, so that no write scope is a way to become administrator.
 *
 * What a caller holds (`Holdings`, computed when it authenticates, principal.ts):
 *   on the management API, the scopes of its token, narrowed to its roles (or, for a
 *   client, its permissions) now; on every other API, what its roles allow (a client:
 *   its permissions). The built-in administrator role (`tessera-admin`) and the CLI's
 *   in-process operator hold every scope of every other API; on the management API
 *   they too hold what their token holds.
 */
import type { AuthorizationServer } from '../core/authorization-server.js';
import { permissionsOf, type Permissions } from '../core/credentials/permissions.js';
import type { User } from '../core/model.js';
import { ManagementProblem } from './problem.js';

export interface Holdings {
  /** Scopes held, per API identifier. */
  permissions: Permissions;
  /** Every scope of every API not listed in `permissions` (the administrator). */
  everyOtherApi: boolean;
}

/** The subset of `scopes` on `api` that the caller does not hold. */
export function notHeld(holdings: Holdings, api: string, scopes: readonly string[]): string[] {
  const held = holdings.permissions[api];
  if (held === undefined && holdings.everyOtherApi) return [];
  return scopes.filter((s) => !(held ?? []).includes(s));
}

/** The scopes of `wanted` the caller does not hold, as "api scope" pairs. */
export function notHeldPermissions(holdings: Holdings, wanted: Permissions): string[] {
  return Object.entries(wanted).flatMap(([api, scopes]) => notHeld(holdings, api, scopes).map((s) => `${api} ${s}`));
}

/** What `after` adds to `before`: only additions need to be held (taking away never escalates). */
export function addedPermissions(before: Permissions | undefined, after: Permissions): Permissions {
  return Object.fromEntries(
    Object.entries(after)
      .map(([api, scopes]) => [api, scopes.filter((s) => !(before?.[api] ?? []).includes(s))] as const)
      .filter(([, scopes]) => scopes.length > 0),
  );
}

export const notYours = (message: string) => new ManagementProblem(403, 'forbidden', message);

/** Refuses, with 403 `forbidden`, unless the caller holds every scope of `wanted`. */
export function requireHeld(holdings: Holdings, wanted: Permissions, what: string): void {
  const missing = notHeldPermissions(holdings, wanted);
  if (missing.length > 0) throw notYours(`${what} would grant what you do not hold yourself: ${missing.join(', ')}`);
}

/** Roles may be given only when each one's permissions lie within the caller's own. */
export async function requireAssignable(
  engine: AuthorizationServer,
  holdings: Holdings,
  roles: readonly string[],
  before: readonly string[] = [],
): Promise<void> {
  for (const name of roles.filter((r) => !before.includes(r))) {
    const role = await engine.store.getRole(name);
    if (role) requireHeld(holdings, role.permissions, `assigning the role ${name}`);
  }
}

/**
 * Acting for a user (their password, their identity, tokens that carry all they may
 * do) needs the caller to hold everything the user's roles allow. Oneself is fine.
 */
export async function requireMayActFor(
  engine: AuthorizationServer,
  caller: { kind: string; id: string; holdings: Holdings },
  user: User,
  what: string,
): Promise<void> {
  if (caller.kind === 'user' && caller.id === user.id) return;
  const missing = notHeldPermissions(caller.holdings, await permissionsOf(engine.store, user.roles));
  if (missing.length > 0) throw notYours(`${what} needs you to hold everything ${user.username} may do; you do not hold ${missing.join(', ')}`);
}
