/**
 * /roles: named bundles of permissions on APIs, given to users and service accounts.
 * A caller can put in a role only scopes it holds itself (least-privilege.ts).
 */
import { z } from 'zod';
import { toRole } from '../../core/config/apply.js';
import { roleSchema } from '../../core/config/schema.js';
import { ADMIN_ROLE } from '../management-api.js';
import { resourceRoutes } from '../resource.js';
import { roleOut } from '../schemas.js';
import { addedPermissions, requireHeld } from '../least-privilege.js';
import { checkPermissions } from './check-permissions.js';

export const roleRoutes = resourceRoutes({
  path: '/roles',
  tag: 'Roles',
  noun: 'role',
  kind: 'role',
  params: z.object({ name: z.string() }),
  scopes: { read: 'read:roles', write: 'write:roles' },
  response: roleOut,
  load: (engine, name) => engine.store.getRole(name),
  idOf: (role) => role.name,
  list: { summary: 'List roles', items: (engine) => engine.store.listRoles() },
  create: {
    summary: 'Create a role',
    body: roleSchema,
    name: (body) => body.name,
    exists: (engine, body) => engine.store.getRole(body.name),
    async save(engine, body, principal) {
      await checkPermissions(engine, body.permissions, 'body.permissions');
      requireHeld(principal.holdings, body.permissions, `role ${body.name}`);
      const role = toRole(body);
      await engine.store.upsertRole(role);
      return role;
    },
  },
  get: { summary: 'Get a role' },
  replace: {
    summary: 'Replace a role',
    body: roleSchema,
    pinned: { field: 'name', message: 'must equal the name in the path' },
    async save(engine, current, body, principal, expected) {
      await checkPermissions(engine, body.permissions, 'body.permissions');
      requireHeld(principal.holdings, addedPermissions(current.permissions, body.permissions), `role ${body.name}`);
      const role = toRole(body);
      if (expected) await engine.store.replaceIf('role', expected, role);
      else await engine.store.upsertRole(role);
      return role;
    },
  },
  delete: {
    summary: 'Delete a role (holders lose its permissions at once)',
    protect: (_engine, name) => (name === ADMIN_ROLE ? `the ${ADMIN_ROLE} role cannot be deleted` : undefined),
    remove: (engine, role, _principal, expected) => (expected ? engine.store.deleteIf('role', expected) : engine.store.deleteRole(role.name)),
  },
});
