/** /apis: the APIs (resource servers) tokens are issued for, and their scopes. */
import { z } from 'zod';
import { toApi } from '../../core/config/apply.js';
import { apiSchema } from '../../core/config/schema.js';
import { managementAudience } from '../management-api.js';
import { paginate, pageQuery, pageSchema } from '../pagination.js';
import { badField, conflict, notFound } from '../problem.js';
import { checkIfMatch, etagOf } from '../etag.js';
import { route } from '../route.js';
import { apiOut } from '../schemas.js';

const byIdentifier = z.object({ identifier: z.string().describe('the API identifier, URL-encoded') });

export const apiRoutes = [
  route({
    method: 'GET', path: '/apis', tag: 'APIs', summary: 'List APIs', scope: 'read:apis', status: 200,
    query: pageQuery, response: pageSchema(apiOut),
    async handler(engine, { query }) {
      return { body: paginate(await engine.store.listApis(), (a) => a.identifier, query) };
    },
  }),
  route({
    method: 'POST', path: '/apis', tag: 'APIs', summary: 'Create an API', scope: 'write:apis', status: 201,
    body: apiSchema, response: apiOut,
    async handler(engine, { body }) {
      if (await engine.store.getApi(body.identifier)) throw conflict(`API ${body.identifier} exists`);
      const api = toApi(body);
      await engine.catalogWriter.saveApi(api);
      return { body: api, etag: etagOf(api), change: { kind: 'api', id: api.identifier, action: 'created', after: api } };
    },
  }),
  route({
    method: 'GET', path: '/apis/{identifier}', tag: 'APIs', summary: 'Get an API', scope: 'read:apis', status: 200,
    params: byIdentifier, response: apiOut,
    async handler(engine, { params }) {
      const api = await engine.store.getApi(params.identifier);
      if (!api) throw notFound(`API ${params.identifier}`);
      return { body: api, etag: etagOf(api) };
    },
  }),
  route({
    method: 'PUT', path: '/apis/{identifier}', tag: 'APIs', summary: 'Replace an API (If-Match for optimistic concurrency)', scope: 'write:apis', status: 200,
    params: byIdentifier, body: apiSchema, response: apiOut,
    async handler(engine, { params, body, ifMatch }) {
      const current = await engine.store.getApi(params.identifier);
      if (!current) throw notFound(`API ${params.identifier}`);
      if (body.identifier !== params.identifier) throw badField('body.identifier', 'must equal the identifier in the path');
      checkIfMatch(current, ifMatch);
      const api = toApi(body);
      await engine.catalogWriter.saveApi(api);
      return { body: api, etag: etagOf(api), change: { kind: 'api', id: api.identifier, action: 'updated', before: current, after: api } };
    },
  }),
  route({
    method: 'DELETE', path: '/apis/{identifier}', tag: 'APIs', summary: 'Delete an API', scope: 'write:apis', status: 204,
    params: byIdentifier,
    async handler(engine, { params }) {
      if (params.identifier === managementAudience(engine.issuer)) throw conflict('the management API cannot be deleted');
      const before = await engine.store.getApi(params.identifier);
      if (!before || !(await engine.catalogWriter.deleteApi(params.identifier))) throw notFound(`API ${params.identifier}`);
      return { change: { kind: 'api', id: params.identifier, action: 'deleted', before } };
    },
  }),
];
