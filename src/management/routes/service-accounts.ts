/** /service-accounts: non-human identities that act through service access tokens; roles only within what the caller holds. */
import { z } from 'zod';
import { serviceAccountSchema } from '../../core/config/schema.js';
import { checkIfMatch, etagOf } from '../etag.js';
import { paginate, pageQuery, pageSchema } from '../pagination.js';
import { badField, conflict, notFound } from '../problem.js';
import { requireAssignable } from '../least-privilege.js';
import { actorOf } from '../principal.js';
import { route } from '../route.js';
import { revokedOut, serviceAccountOut } from '../schemas.js';

const byId = z.object({ id: z.string() });

export const serviceAccountRoutes = [
  route({
    method: 'GET', path: '/service-accounts', tag: 'Service accounts', summary: 'List service accounts', scope: 'read:service_accounts', status: 200,
    query: pageQuery, response: pageSchema(serviceAccountOut),
    async handler(engine, { query }) {
      return { body: paginate(await engine.store.listServiceAccounts(), (a) => a.name, query) };
    },
  }),
  route({
    method: 'POST', path: '/service-accounts', tag: 'Service accounts', summary: 'Create a service account', scope: 'write:service_accounts', status: 201,
    body: serviceAccountSchema, response: serviceAccountOut,
    async handler(engine, { body, principal }) {
      if (await engine.store.getServiceAccountByName(body.name)) throw conflict(`service account ${body.name} exists`);
      await requireAssignable(engine, principal.holdings, body.roles);
      const account = await engine.credentials.createServiceAccount({ name: body.name, roles: body.roles, ...(body.description ? { description: body.description } : {}) }, actorOf(principal));
      const stored = body.active ? account : await engine.store.upsertServiceAccount({ ...account, active: false });
      return { body: stored, etag: etagOf(stored) };
    },
  }),
  route({
    method: 'GET', path: '/service-accounts/{id}', tag: 'Service accounts', summary: 'Get a service account', scope: 'read:service_accounts', status: 200,
    params: byId, response: serviceAccountOut,
    async handler(engine, { params }) {
      const account = await engine.store.getServiceAccount(params.id);
      if (!account) throw notFound(`service account ${params.id}`);
      return { body: account, etag: etagOf(account) };
    },
  }),
  route({
    method: 'PUT', path: '/service-accounts/{id}', tag: 'Service accounts', summary: 'Replace a service account (deactivate with `active: false`)', scope: 'write:service_accounts', status: 200,
    params: byId, body: serviceAccountSchema, response: serviceAccountOut,
    async handler(engine, { params, body, ifMatch, principal }) {
      const account = await engine.store.getServiceAccount(params.id);
      if (!account) throw notFound(`service account ${params.id}`);
      if (body.name !== account.name) throw badField('body.name', 'a service account cannot be renamed');
      checkIfMatch(account, ifMatch);
      for (const [i, role] of body.roles.entries()) if (!(await engine.store.getRole(role))) throw badField(`body.roles.${i}`, `unknown role ${role}`);
      await requireAssignable(engine, principal.holdings, body.roles, account.roles);
      const updated = { ...account, roles: body.roles, active: body.active, ...(body.description !== undefined ? { description: body.description } : {}) };
      const stored = await engine.store.upsertServiceAccount(updated);
      return { body: stored, etag: etagOf(stored), change: { kind: 'service_account', id: stored.id, action: 'updated', before: account, after: stored } };
    },
  }),
  route({
    method: 'DELETE', path: '/service-accounts/{id}', tag: 'Service accounts', summary: 'Delete a service account; its tokens stop at once', scope: 'write:service_accounts', status: 200,
    params: byId, response: revokedOut,
    async handler(engine, { params, principal }) {
      return { body: { revoked: (await engine.credentials.deleteServiceAccount(params.id, actorOf(principal))).tokens } };
    },
  }),
];
