/**
 * /tokens: personal, service, user and action tokens: create (shown once), list without
 * secrets, revoke. A token carries only scopes the caller holds itself, and a token for
 * another user needs the caller to hold everything that user may do (least-privilege.ts).
 */
import { z } from 'zod';
import type { AuthorizationServer } from '../../core/authorization-server.js';
import type { CreatedCredential } from '../../core/credentials/credential-service.js';
import { paginate, pageQuery, pageSchema } from '../pagination.js';
import { badField, notFound } from '../problem.js';
import { requireHeld, requireMayActFor } from '../least-privilege.js';
import { actorOf, type Principal } from '../principal.js';
import { route } from '../route.js';
import { tokenCreatedOut, tokenSummaryOut } from '../schemas.js';

const scoped = {
  name: z.string().min(1).max(100),
  api: z.string().describe('the API identifier the token is for'),
  scopes: z.array(z.string()).min(1),
  expiresIn: z.number().int().positive().optional().describe('seconds; at most the configured maximum (default 365 days)'),
  dpopJkt: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, 'the base64url SHA-256 JWK thumbprint (RFC 7638) of a public key: 43 characters')
    .optional()
    .describe('RFC 9449: bind the token to this DPoP key; it then works only as `Authorization: DPoP <token>` with proofs from that key'),
};

const createToken = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('personal_access_token'), userId: z.string(), ...scoped }),
  z.strictObject({ kind: z.literal('service_access_token'), serviceAccountId: z.string(), ...scoped }),
  z.strictObject({ kind: z.literal('user_token'), userId: z.string() }),
  z.strictObject({ kind: z.literal('action_token'), userId: z.string(), name: z.string().min(1).max(100), endpoints: z.array(z.string()).min(1) }),
]);

/** The caller may make this token: it holds the scopes, and may act for the user the token is for. */
async function requireMayCreate(engine: AuthorizationServer, principal: Principal, body: z.output<typeof createToken>): Promise<void> {
  if ('scopes' in body) requireHeld(principal.holdings, { [body.api]: body.scopes }, `a ${body.kind}`);
  if ('userId' in body) {
    const user = await engine.store.getUser(body.userId);
    if (user) await requireMayActFor(engine, principal, user, `a ${body.kind} for ${user.username}`);
  }
}

export const tokenRoutes = [
  route({
    method: 'POST',
    path: '/tokens',
    tag: 'Tokens',
    summary: 'Create a PAT, SAT, user token or action token (the token is in this response only)',
    scope: 'write:tokens',
    status: 201,
    body: createToken,
    response: tokenCreatedOut,
    async handler(engine, { body, principal }) {
      await requireMayCreate(engine, principal, body);
      const c = engine.credentials;
      const actor = actorOf(principal);
      // Domain errors (bad scopes, unknown user...) become field errors and 404s in the router.
      const created: CreatedCredential = await (() => {
        switch (body.kind) {
          case 'personal_access_token':
            return c.createPersonalAccessToken(body.userId, body, actor);
          case 'service_access_token':
            return c.createServiceAccessToken(body.serviceAccountId, body, actor);
          case 'user_token':
            return c.regenerateUserToken(body.userId, actor);
          case 'action_token':
            return c.createActionToken(body.userId, body, actor);
        }
      })();
      return { body: created };
    },
  }),
  route({
    method: 'GET',
    path: '/tokens',
    tag: 'Tokens',
    summary: "List a user's or service account's tokens (never the secrets)",
    scope: 'read:tokens',
    status: 200,
    query: pageQuery.extend({
      userId: z.string().optional(),
      serviceAccountId: z.string().optional(),
      kind: z.enum(['personal_access_token', 'service_access_token', 'user_token', 'action_token']).optional(),
      revoked: z.enum(['true', 'false']).optional(),
    }),
    response: pageSchema(tokenSummaryOut),
    async handler(engine, { query }) {
      const subject = query.userId ?? query.serviceAccountId;
      if (subject === undefined || (query.userId && query.serviceAccountId)) throw badField('query.userId', 'give either userId or serviceAccountId');
      const tokens = (await engine.credentials.list(subject, query.kind ? [query.kind] : undefined)).filter(
        (t) => query.revoked === undefined || String(t.revokedAt !== undefined) === query.revoked,
      );
      return { body: paginate(tokens, (t) => `${String(4_000_000_000 - t.createdAt).padStart(10, '0')}${t.id}`, query) };
    },
  }),
  route({
    method: 'GET',
    path: '/tokens/{id}',
    tag: 'Tokens',
    summary: 'Get a token (never the secret)',
    scope: 'read:tokens',
    status: 200,
    params: z.object({ id: z.string() }),
    response: tokenSummaryOut,
    async handler(engine, { params }) {
      const token = await engine.credentials.get(params.id);
      if (!token) throw notFound(`token ${params.id}`);
      return { body: token };
    },
  }),
  route({
    method: 'DELETE',
    path: '/tokens/{id}',
    tag: 'Tokens',
    summary: 'Revoke a token',
    scope: 'write:tokens',
    status: 204,
    params: z.object({ id: z.string() }),
    async handler(engine, { params, principal }) {
      await engine.credentials.revoke(params.id, actorOf(principal));
      return {};
    },
  }),
];
