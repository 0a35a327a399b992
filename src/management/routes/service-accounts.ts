/** /service-accounts: non-human identities that act through service access tokens; roles only within what the caller holds. */
import { z } from 'zod';
import { serviceAccountSchema } from '../../core/config/schema.js';
import { badField } from '../problem.js';
import { requireAssignable } from '../least-privilege.js';
import { actorOf } from '../principal.js';
import { resourceRoutes } from '../resource.js';
import { route } from '../route.js';
import { revokedOut, serviceAccountOut } from '../schemas.js';

const byId = z.object({ id: z.string() });

export const serviceAccountRoutes = [
  ...resourceRoutes({
    path: '/service-accounts',
    tag: 'Service accounts',
    noun: 'service account',
    kind: 'service_account',
    params: byId,
    scopes: { read: 'read:service_accounts', write: 'write:service_accounts' },
    response: serviceAccountOut,
    load: (engine, id) => engine.store.getServiceAccount(id),
    idOf: (account) => account.id,
    list: { summary: 'List service accounts', items: (engine) => engine.store.listServiceAccounts(), sortKey: (a) => a.name },
    create: {
      summary: 'Create a service account',
      body: serviceAccountSchema,
      name: (body) => body.name,
      exists: (engine, body) => engine.store.getServiceAccountByName(body.name),
      // The credentials service audits the creation itself.
      audited: false,
      async save(engine, body, principal) {
        await requireAssignable(engine, principal.holdings, body.roles);
        const account = await engine.credentials.createServiceAccount(
          { name: body.name, roles: body.roles, ...(body.description ? { description: body.description } : {}) },
          actorOf(principal),
        );
        return body.active ? account : engine.store.upsertServiceAccount({ ...account, active: false });
      },
    },
    get: { summary: 'Get a service account' },
    replace: {
      summary: 'Replace a service account (deactivate with `active: false`)',
      body: serviceAccountSchema,
      pinned: { field: 'name', message: 'a service account cannot be renamed', current: (account) => account.name },
      async save(engine, account, body, principal, expected) {
        for (const [i, role] of body.roles.entries()) if (!(await engine.store.getRole(role))) throw badField(`body.roles.${i}`, `unknown role ${role}`);
        await requireAssignable(engine, principal.holdings, body.roles, account.roles);
        const next = { ...account, roles: body.roles, active: body.active, ...(body.description !== undefined ? { description: body.description } : {}) };
        if (!expected) return engine.store.upsertServiceAccount(next);
        await engine.store.replaceIf('serviceAccount', expected, next);
        return next;
      },
    },
  }),
  route({
    method: 'DELETE',
    path: '/service-accounts/{id}',
    tag: 'Service accounts',
    summary: 'Delete a service account; its tokens stop at once',
    scope: 'write:service_accounts',
    status: 200,
    params: byId,
    response: revokedOut,
    async handler(engine, { params, principal }) {
      return { body: { revoked: (await engine.credentials.deleteServiceAccount(params.id, actorOf(principal))).tokens } };
    },
  }),
];
