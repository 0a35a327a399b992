/**
 * /registration: dynamic client registration as the operator sees it: whether it is
 * open, and the initial access tokens that restrict it (RFC 7591 §3). A token is shown
 * once, when created; afterwards only its id and state.
 */
import { z } from 'zod';
import { actorOf } from '../principal.js';
import { notFound } from '../problem.js';
import { route } from '../route.js';
import { initialAccessTokenCreatedOut, initialAccessTokenOut, registrationOut } from '../schemas.js';

export const registrationRoutes = [
  route({
    method: 'GET',
    path: '/registration',
    tag: 'Registration',
    summary: "Whether dynamic client registration is open, and its limits (the config file's registration: block)",
    scope: 'read:registration',
    status: 200,
    response: registrationOut,
    async handler(engine) {
      const {
        enabled,
        initialAccessToken,
        grantTypes,
        tokenEndpointAuthMethods,
        apis,
        scopes,
        redirectUriSchemes,
        privateUseSchemes,
        maxPerAddress,
        throttleWindow,
        secretLifetime,
      } = engine.registration;
      return {
        body: {
          enabled,
          ...(enabled ? { registrationEndpoint: `${engine.issuer}/register` } : {}),
          initialAccessToken,
          grantTypes,
          tokenEndpointAuthMethods,
          ...(apis ? { apis } : {}),
          ...(scopes ? { scopes } : {}),
          redirectUriSchemes,
          privateUseSchemes,
          maxPerAddress,
          throttleWindow,
          ...(secretLifetime !== undefined ? { secretLifetime } : {}),
        },
      };
    },
  }),
  route({
    method: 'GET',
    path: '/registration/tokens',
    tag: 'Registration',
    summary: 'List initial access tokens (never the tokens themselves)',
    scope: 'read:registration',
    status: 200,
    response: z.object({ items: z.array(initialAccessTokenOut) }),
    async handler(engine) {
      return { body: { items: await engine.initialAccessTokens.list() } };
    },
  }),
  route({
    method: 'POST',
    path: '/registration/tokens',
    tag: 'Registration',
    summary: 'Create an initial access token (shown in this response only)',
    scope: 'write:registration',
    status: 201,
    body: z.strictObject({
      name: z.string().min(1).max(200).optional().describe('who it is for, to recognise it in lists'),
      expiresIn: z
        .number()
        .int()
        .positive()
        .max(10 * 365 * 86400)
        .optional()
        .describe('seconds until it expires; absent: it does not'),
      singleUse: z.boolean().default(false).describe('it registers one client, then stops working'),
    }),
    response: initialAccessTokenCreatedOut,
    async handler(engine, { body, principal }) {
      const actor = actorOf(principal);
      const { token, info } = await engine.initialAccessTokens.create({ ...body, createdBy: actor.id });
      return { body: { token, initialAccessToken: info }, change: { kind: 'initial_access_token', id: info.id, action: 'created', after: info } };
    },
  }),
  route({
    method: 'DELETE',
    path: '/registration/tokens/{id}',
    tag: 'Registration',
    summary: 'Revoke an initial access token (clients it registered stay)',
    scope: 'write:registration',
    status: 204,
    params: z.object({ id: z.string() }),
    async handler(engine, { params }) {
      if (!(await engine.initialAccessTokens.revoke(params.id))) throw notFound(`initial access token ${params.id}`);
      return { change: { kind: 'initial_access_token', id: params.id, action: 'deleted' } };
    },
  }),
];
