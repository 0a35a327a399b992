/**
 * /users: people who sign in; activation, passwords, roles, and "revoke everything".
 * Roles are given only within what the caller holds; replacing a user, setting their
 * password or deleting them needs the caller to hold everything they may do
 * (least-privilege.ts): no write scope is a way into the administrator's account.
 */
import { z } from 'zod';
import { toUser } from '../../core/config/apply.js';
import { userSchema } from '../../core/config/schema.js';
import { hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../core/crypto/password.js';
import type { AuthorizationServer } from '../../core/authorization-server.js';
import type { User } from '../../core/model.js';
import { StaleWriteError } from '../../core/errors.js';
import { pageQuery } from '../pagination.js';
import { presentUser } from '../present.js';
import { badField, conflict, notFound } from '../problem.js';
import { requireAssignable, requireMayActFor } from '../least-privilege.js';
import { actorOf } from '../principal.js';
import { resourceRoutes } from '../resource.js';
import { route } from '../route.js';
import { consentOut, revokedOut, userOut } from '../schemas.js';

const byId = z.object({ id: z.string() });

export async function loadUser(engine: AuthorizationServer, id: string): Promise<User> {
  const user = await engine.store.getUser(id);
  if (!user) throw notFound(`user ${id}`);
  return user;
}

async function checkRoles(engine: AuthorizationServer, roles: string[]): Promise<void> {
  for (const [i, role] of roles.entries()) if (!(await engine.store.getRole(role))) throw badField(`body.roles.${i}`, `unknown role ${role}`);
}

export const userRoutes = [
  ...resourceRoutes({
    path: '/users',
    tag: 'Users',
    noun: 'user',
    kind: 'user',
    params: byId,
    scopes: { read: 'read:users', write: 'write:users' },
    response: userOut,
    load: (engine, id) => engine.store.getUser(id),
    present: (_engine, user) => presentUser(user),
    idOf: (user) => user.id,
    list: {
      summary: 'List users',
      query: pageQuery.extend({
        active: z.enum(['true', 'false']).optional(),
        q: z.string().optional().describe('part of the username or email'),
        role: z.string().optional(),
      }),
      async items(engine, query) {
        const q = query.q?.toLowerCase();
        return (await engine.store.listUsers()).filter(
          (u) =>
            (query.active === undefined || String(u.active) === query.active) &&
            (query.role === undefined || u.roles.includes(query.role)) &&
            (q === undefined || u.username.toLowerCase().includes(q) || (u.email ?? '').toLowerCase().includes(q)),
        );
      },
      sortKey: (u) => u.username,
    },
    create: {
      summary: 'Create a user',
      body: userSchema,
      name: (body) => body.username,
      exists: (engine, body) => engine.store.getUserByUsername(body.username),
      async save(engine, body, principal) {
        await checkRoles(engine, body.roles);
        await requireAssignable(engine, principal.holdings, body.roles);
        const user = await engine.store.upsertUser(await toUser(body, undefined, 'body'));
        await engine.mail?.verification.afterChange(undefined, user);
        return user;
      },
    },
    get: { summary: 'Get a user' },
    replace: {
      summary: 'Replace a user (activate or deactivate with `active`; the password is kept unless given)',
      body: userSchema,
      async save(engine, existing, body, principal, expected) {
        if (body.username !== existing.username && (await engine.store.getUserByUsername(body.username))) throw conflict(`user ${body.username} exists`);
        await checkRoles(engine, body.roles);
        await requireMayActFor(engine, principal, existing, `changing ${existing.username}`);
        await requireAssignable(engine, principal.holdings, body.roles, existing.roles);
        const user = await toUser(body, existing, 'body');
        let stored = user;
        // Under If-Match the user is replaced in place, renamed or not (same id). A rename
        // is always in place: the user row is found by username, so an upsert would make a
        // second user, and deleting the old one first would take their second factors,
        // recovery codes and linked identities with it. Without If-Match the compare is
        // against what this request read; a change in between answers 409, not 412.
        if (expected) await engine.store.replaceIf('user', expected, user);
        else if (body.username !== existing.username) {
          try {
            await engine.store.replaceIf('user', existing, user);
          } catch (error) {
            if (error instanceof StaleWriteError) throw conflict(`user ${existing.username} changed while being renamed; try again`);
            throw error;
          }
        } else stored = await engine.store.upsertUser(user);
        await engine.mail?.verification.afterChange(existing, stored);
        return stored;
      },
    },
    delete: {
      summary: 'Delete a user and revoke everything they hold',
      async remove(engine, user, principal, expected) {
        await requireMayActFor(engine, principal, user, `deleting ${user.username}`);
        // Under If-Match the user is first claimed by a compare-and-set on what was read
        // (deactivated, their tokens void from now): a user changed since stays as is (412).
        if (expected) await engine.store.replaceIf('user', expected, { ...expected, active: false, notBefore: engine.clock.now() });
        await engine.revokeEverything(user.id, actorOf(principal));
        await engine.store.deleteUser(user.id);
      },
    },
  }),
  route({
    method: 'POST',
    path: '/users/{id}/password',
    tag: 'Users',
    summary: 'Set a password',
    scope: 'write:users',
    status: 204,
    params: byId,
    body: z.strictObject({
      password: z.string().min(PASSWORD_MIN_LENGTH, `a password must be at least ${PASSWORD_MIN_LENGTH} characters`).max(PASSWORD_MAX_LENGTH),
    }),
    async handler(engine, { params, body, principal }) {
      const user = await loadUser(engine, params.id);
      await requireMayActFor(engine, principal, user, `setting the password of ${user.username}`);
      await engine.store.upsertUser({ ...user, passwordHash: await hashPassword(body.password) });
      return { change: { kind: 'user', id: user.id, action: 'password_set' } };
    },
  }),
  route({
    method: 'POST',
    path: '/users/{id}/revoke-everything',
    tag: 'Users',
    summary: 'Revoke every token, consent and session of a user',
    scope: 'write:users',
    status: 200,
    params: byId,
    response: revokedOut,
    async handler(engine, { params, principal }) {
      const result = await engine.revokeEverything((await loadUser(engine, params.id)).id, actorOf(principal));
      return { body: { revoked: result.tokens, consents: result.consents } };
    },
  }),
  route({
    method: 'GET',
    path: '/users/{id}/consents',
    tag: 'Consents',
    summary: "List a user's consents",
    scope: 'read:consents',
    status: 200,
    params: byId,
    response: z.object({ items: z.array(consentOut) }),
    async handler(engine, { params }) {
      return { body: { items: await engine.store.listConsents((await loadUser(engine, params.id)).id) } };
    },
  }),
  route({
    method: 'DELETE',
    path: '/users/{id}/consents/{clientId}',
    tag: 'Consents',
    summary: 'Revoke a consent and the tokens the client holds for the user',
    scope: 'write:consents',
    status: 200,
    params: byId.extend({ clientId: z.string() }),
    response: revokedOut,
    async handler(engine, { params, principal }) {
      const user = await loadUser(engine, params.id);
      const result = await engine.revokeConsent(user.id, params.clientId, actorOf(principal));
      if (!result.consent) throw notFound(`consent of ${user.username} for ${params.clientId}`);
      return { body: { revoked: result.tokens } };
    },
  }),
];
