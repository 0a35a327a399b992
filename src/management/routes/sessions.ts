/** /users/{id}/sessions and /users/{id}/grants: where a user is signed in, and what apps hold for them. */
import { z } from 'zod';
import { actorOf } from '../principal.js';
import { notFound } from '../problem.js';
import { route } from '../route.js';
import { grantOut, sessionOut } from '../schemas.js';
import { loadUser } from './users.js';

const byId = z.object({ id: z.string() });

export const sessionRoutes = [
  route({
    method: 'GET',
    path: '/users/{id}/sessions',
    tag: 'Sessions',
    summary: "List a user's live sign-in sessions, newest first",
    scope: 'read:sessions',
    status: 200,
    params: byId,
    response: z.object({ items: z.array(sessionOut) }),
    async handler(engine, { params }) {
      return { body: { items: await engine.sessions.list((await loadUser(engine, params.id)).id) } };
    },
  }),
  route({
    method: 'DELETE',
    path: '/users/{id}/sessions/{sessionId}',
    tag: 'Sessions',
    summary: 'End one sign-in session: it is signed out at its next request',
    scope: 'write:sessions',
    status: 204,
    params: byId.extend({ sessionId: z.string() }),
    async handler(engine, { params }) {
      const user = await loadUser(engine, params.id);
      const before = (await engine.sessions.list(user.id)).find((s) => s.id === params.sessionId);
      if (!before || !(await engine.sessions.end(user.id, params.sessionId))) throw notFound(`session ${params.sessionId} of ${user.username}`);
      return { change: { kind: 'session', id: before.id, action: 'deleted', before } };
    },
  }),
  route({
    method: 'DELETE',
    path: '/users/{id}/sessions',
    tag: 'Sessions',
    summary: 'End every sign-in session of a user (tokens apps hold stay; see grants)',
    scope: 'write:sessions',
    status: 200,
    params: byId,
    response: z.object({ ended: z.number().int().describe('how many sessions ended') }),
    async handler(engine, { params }) {
      const user = await loadUser(engine, params.id);
      const ended = await engine.sessions.endAll(user.id);
      return { body: { ended }, change: { kind: 'session', id: `user:${user.id}`, action: 'deleted', before: { ended } } };
    },
  }),
  route({
    method: 'GET',
    path: '/users/{id}/grants',
    tag: 'Grants',
    summary: 'List the live grants a user gave apps (refresh-token families), newest first',
    scope: 'read:grants',
    status: 200,
    params: byId,
    response: z.object({ items: z.array(grantOut) }),
    async handler(engine, { params }) {
      return { body: { items: await engine.userGrants.list((await loadUser(engine, params.id)).id) } };
    },
  }),
  route({
    method: 'DELETE',
    path: '/users/{id}/grants/{grantId}',
    tag: 'Grants',
    summary: 'Revoke a grant: its refresh and reference access tokens stop at once (JWT access tokens lapse within their lifetime); the consent stays',
    scope: 'write:grants',
    status: 200,
    params: byId.extend({ grantId: z.string() }),
    response: grantOut,
    async handler(engine, { params, principal }) {
      const user = await loadUser(engine, params.id);
      // An unknown grant is a NotFoundError, rendered as 404 by the router.
      return { body: await engine.userGrants.revoke(user.id, params.grantId, actorOf(principal)) };
    },
  }),
];
