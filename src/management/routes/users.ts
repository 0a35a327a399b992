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
import { checkIfMatch, etagOf } from '../etag.js';
import { paginate, pageQuery, pageSchema } from '../pagination.js';
import { presentUser } from '../present.js';
import { badField, conflict, notFound } from '../problem.js';
import { requireAssignable, requireMayActFor } from '../least-privilege.js';
import { actorOf } from '../principal.js';
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
  route({
    method: 'GET', path: '/users', tag: 'Users', summary: 'List users', scope: 'read:users', status: 200,
    query: pageQuery.extend({
      active: z.enum(['true', 'false']).optional(),
      q: z.string().optional().describe('part of the username or email'),
      role: z.string().optional(),
    }),
    response: pageSchema(userOut),
    async handler(engine, { query }) {
      const q = query.q?.toLowerCase();
      const users = (await engine.store.listUsers()).filter(
        (u) =>
          (query.active === undefined || String(u.active) === query.active) &&
          (query.role === undefined || u.roles.includes(query.role)) &&
          (q === undefined || u.username.toLowerCase().includes(q) || (u.email ?? '').toLowerCase().includes(q)),
      );
      const page = paginate(users, (u) => u.username, query);
      return { body: { ...page, items: page.items.map(presentUser) } };
    },
  }),
  route({
    method: 'POST', path: '/users', tag: 'Users', summary: 'Create a user', scope: 'write:users', status: 201,
    body: userSchema, response: userOut,
    async handler(engine, { body, principal }) {
      if (await engine.store.getUserByUsername(body.username)) throw conflict(`user ${body.username} exists`);
      await checkRoles(engine, body.roles);
      await requireAssignable(engine, principal.holdings, body.roles);
      const user = await engine.store.upsertUser(await toUser(body, undefined, 'body'));
      await engine.mail?.verification.afterChange(undefined, user);
      const out = presentUser(user);
      return { body: out, etag: etagOf(out), change: { kind: 'user', id: user.id, action: 'created', after: out } };
    },
  }),
  route({
    method: 'GET', path: '/users/{id}', tag: 'Users', summary: 'Get a user', scope: 'read:users', status: 200,
    params: byId, response: userOut,
    async handler(engine, { params }) {
      const out = presentUser(await loadUser(engine, params.id));
      return { body: out, etag: etagOf(out) };
    },
  }),
  route({
    method: 'PUT', path: '/users/{id}', tag: 'Users', summary: 'Replace a user (activate or deactivate with `active`; the password is kept unless given)', scope: 'write:users', status: 200,
    params: byId, body: userSchema, response: userOut,
    async handler(engine, { params, body, ifMatch, principal }) {
      const existing = await loadUser(engine, params.id);
      checkIfMatch(presentUser(existing), ifMatch);
      if (body.username !== existing.username && (await engine.store.getUserByUsername(body.username))) throw conflict(`user ${body.username} exists`);
      await checkRoles(engine, body.roles);
      await requireMayActFor(engine, principal, existing, `changing ${existing.username}`);
      await requireAssignable(engine, principal.holdings, body.roles, existing.roles);
      const user = await toUser(body, existing, 'body');
      if (body.username !== existing.username) await engine.store.deleteUser(existing.id);
      const stored = await engine.store.upsertUser(user);
      await engine.mail?.verification.afterChange(existing, stored);
      const out = presentUser(stored);
      return { body: out, etag: etagOf(out), change: { kind: 'user', id: out.id, action: 'updated', before: presentUser(existing), after: out } };
    },
  }),
  route({
    method: 'DELETE', path: '/users/{id}', tag: 'Users', summary: 'Delete a user and revoke everything they hold', scope: 'write:users', status: 204,
    params: byId,
    async handler(engine, { params, principal }) {
      const before = await loadUser(engine, params.id);
      await requireMayActFor(engine, principal, before, `deleting ${before.username}`);
      await engine.revokeEverything(before.id, actorOf(principal));
      await engine.store.deleteUser(params.id);
      return { change: { kind: 'user', id: before.id, action: 'deleted', before: presentUser(before) } };
    },
  }),
  route({
    method: 'POST', path: '/users/{id}/password', tag: 'Users', summary: 'Set a password', scope: 'write:users', status: 204,
    params: byId, body: z.strictObject({ password: z.string().min(PASSWORD_MIN_LENGTH, `a password must be at least ${PASSWORD_MIN_LENGTH} characters`).max(PASSWORD_MAX_LENGTH) }),
    async handler(engine, { params, body, principal }) {
      const user = await loadUser(engine, params.id);
      await requireMayActFor(engine, principal, user, `setting the password of ${user.username}`);
      await engine.store.upsertUser({ ...user, passwordHash: await hashPassword(body.password) });
      return { change: { kind: 'user', id: user.id, action: 'password_set' } };
    },
  }),
  route({
    method: 'POST', path: '/users/{id}/revoke-everything', tag: 'Users', summary: 'Revoke every token, consent and session of a user', scope: 'write:users', status: 200,
    params: byId, response: revokedOut,
    async handler(engine, { params, principal }) {
      const result = await engine.revokeEverything((await loadUser(engine, params.id)).id, actorOf(principal));
      return { body: { revoked: result.tokens, consents: result.consents } };
    },
  }),
  route({
    method: 'GET', path: '/users/{id}/consents', tag: 'Consents', summary: "List a user's consents", scope: 'read:consents', status: 200,
    params: byId, response: z.object({ items: z.array(consentOut) }),
    async handler(engine, { params }) {
      return { body: { items: await engine.store.listConsents((await loadUser(engine, params.id)).id) } };
    },
  }),
  route({
    method: 'DELETE', path: '/users/{id}/consents/{clientId}', tag: 'Consents', summary: 'Revoke a consent and the tokens the client holds for the user', scope: 'write:consents', status: 200,
    params: byId.extend({ clientId: z.string() }), response: revokedOut,
    async handler(engine, { params, principal }) {
      const user = await loadUser(engine, params.id);
      const result = await engine.revokeConsent(user.id, params.clientId, actorOf(principal));
      if (!result.consent) throw notFound(`consent of ${user.username} for ${params.clientId}`);
      return { body: { revoked: result.tokens } };
    },
  }),
];
