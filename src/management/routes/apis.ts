/** /apis: the APIs (resource servers) tokens are issued for, and their scopes. */
import { z } from 'zod';
import { toApi } from '../../core/config/apply.js';
import { apiSchema } from '../../core/config/schema.js';
import { managementAudience } from '../management-api.js';
import { resourceRoutes } from '../resource.js';
import { apiOut } from '../schemas.js';

export const apiRoutes = resourceRoutes({
  path: '/apis',
  tag: 'APIs',
  noun: 'API',
  kind: 'api',
  params: z.object({ identifier: z.string().describe('the API identifier, URL-encoded') }),
  scopes: { read: 'read:apis', write: 'write:apis' },
  response: apiOut,
  load: (engine, identifier) => engine.store.getApi(identifier),
  idOf: (api) => api.identifier,
  list: { summary: 'List APIs', items: (engine) => engine.store.listApis() },
  create: {
    summary: 'Create an API',
    body: apiSchema,
    name: (body) => body.identifier,
    exists: (engine, body) => engine.store.getApi(body.identifier),
    async save(engine, body) {
      const api = toApi(body);
      await engine.catalogWriter.saveApi(api);
      return api;
    },
  },
  get: { summary: 'Get an API' },
  replace: {
    summary: 'Replace an API (If-Match for optimistic concurrency)',
    body: apiSchema,
    pinned: { field: 'identifier', message: 'must equal the identifier in the path' },
    async save(engine, _current, body, _principal, expected) {
      const api = toApi(body);
      await engine.catalogWriter.saveApi(api, expected);
      return api;
    },
  },
  delete: {
    summary: 'Delete an API',
    protect: (engine, identifier) => (identifier === managementAudience(engine.issuer) ? 'the management API cannot be deleted' : undefined),
    remove: (engine, api, _principal, expected) => engine.catalogWriter.deleteApi(api.identifier, expected),
  },
});
