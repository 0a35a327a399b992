/**
 * /roles: named bundles of permissions on APIs, given to users and service accounts.
 * A caller can put in a role only scopes it holds itself (least-privilege.ts).
 */
import { z } from 'zod';
import { toRole } from '../../core/config/apply.js';
import { roleSchema } from '../../core/config/schema.js';
import { checkIfMatch, etagOf } from '../etag.js';
import { ADMIN_ROLE } from '../management-api.js';
import { paginate, pageQuery, pageSchema } from '../pagination.js';
import { badField, conflict, notFound } from '../problem.js';
import { route } from '../route.js';
import { roleOut } from '../schemas.js';
import { addedPermissions, requireHeld } from '../least-privilege.js';
import { checkPermissions } from './check-permissions.js';

const byName = z.object({ name: z.string() });

export const roleRoutes = [
  route({
    method: 'GET', path: '/roles', tag: 'Roles', summary: 'List roles', scope: 'read:roles', status: 200,
    query: pageQuery, response: pageSchema(roleOut),
    async handler(engine, { query }) {
      return { body: paginate(await engine.store.listRoles(), (r) => r.name, query) };
    },
  }),
  route({
    method: 'POST', path: '/roles', tag: 'Roles', summary: 'Create a role', scope: 'write:roles', status: 201,
    body: roleSchema, response: roleOut,
    async handler(engine, { body, principal }) {
      if (await engine.store.getRole(body.name)) throw conflict(`role ${body.name} exists`);
      await checkPermissions(engine, body.permissions, 'body.permissions');
      requireHeld(principal.holdings, body.permissions, `role ${body.name}`);
      const role = toRole(body);
      await engine.store.upsertRole(role);
      return { body: role, etag: etagOf(role), change: { kind: 'role', id: role.name, action: 'created', after: role } };
    },
  }),
  route({
    method: 'GET', path: '/roles/{name}', tag: 'Roles', summary: 'Get a role', scope: 'read:roles', status: 200,
    params: byName, response: roleOut,
    async handler(engine, { params }) {
      const role = await engine.store.getRole(params.name);
      if (!role) throw notFound(`role ${params.name}`);
      return { body: role, etag: etagOf(role) };
    },
  }),
  route({
    method: 'PUT', path: '/roles/{name}', tag: 'Roles', summary: 'Replace a role', scope: 'write:roles', status: 200,
    params: byName, body: roleSchema, response: roleOut,
    async handler(engine, { params, body, ifMatch, principal }) {
      const current = await engine.store.getRole(params.name);
      if (!current) throw notFound(`role ${params.name}`);
      if (body.name !== params.name) throw badField('body.name', 'must equal the name in the path');
      checkIfMatch(current, ifMatch);
      await checkPermissions(engine, body.permissions, 'body.permissions');
      requireHeld(principal.holdings, addedPermissions(current.permissions, body.permissions), `role ${body.name}`);
      const role = toRole(body);
      await engine.store.upsertRole(role);
      return { body: role, etag: etagOf(role), change: { kind: 'role', id: role.name, action: 'updated', before: current, after: role } };
    },
  }),
  route({
    method: 'DELETE', path: '/roles/{name}', tag: 'Roles', summary: 'Delete a role (holders lose its permissions at once)', scope: 'write:roles', status: 204,
    params: byName,
    async handler(engine, { params }) {
      if (params.name === ADMIN_ROLE) throw conflict(`the ${ADMIN_ROLE} role cannot be deleted`);
      const before = await engine.store.getRole(params.name);
      if (!before || !(await engine.store.deleteRole(params.name))) throw notFound(`role ${params.name}`);
      return { change: { kind: 'role', id: params.name, action: 'deleted', before } };
    },
  }),
];
