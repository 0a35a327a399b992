/**
 * The OpenAPI 3.1 document of the management API, generated from the routes' own
 * zod schemas (zod 4 emits JSON Schema 2020-12, which OpenAPI 3.1 uses as is).
 */
import { z } from 'zod';
import type { ManagementRoute } from './route.js';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: where, required: where === 'path' || (object.required ?? []).includes(name), schema: rest, ...(description ? { description } : {}) };
  });
}

const PROBLEM: JsonSchema = {
  type: 'object',
  required: ['error', 'error_description'],
  properties: {
    error: { type: 'string' },
    error_description: { type: 'string' },
    details: {
      type: 'array',
      items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};

/** Whether a route honours If-Match: every update, and the deletes that declare it. */
const conditional = (r: ManagementRoute) => ['PUT', 'PATCH'].includes(r.method) || r.conditional === true;

export function openApiDocument(routes: readonly ManagementRoute[], serverUrl: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const r of routes) {
    const problem = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } } });
    const operation: JsonSchema = {
      operationId: `${r.method.toLowerCase()}${r.path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      summary: r.summary,
      tags: [r.tag],
      security: [{ bearer: [r.scope] }],
      description: `Requires the \`${r.scope}\` scope.`,
      parameters: [
        ...parameters(r.params, 'path'),
        ...parameters(r.query, 'query'),
        ...(conditional(r)
          ? [
              {
                name: 'If-Match',
                in: 'header',
                required: false,
                schema: { type: 'string' },
                description: `the ETag read earlier: the ${r.method === 'DELETE' ? 'delete' : 'update'} applies only if nothing changed since (else 412); without it, last write wins`,
              },
            ]
          : []),
      ],
      responses: {
        [String(r.status)]: r.response
          ? { description: 'Success', content: { 'application/json': { schema: jsonSchema(r.response, 'output') } } }
          : { description: 'Success, no content' },
        '400': problem('Invalid input: `details` lists the fields at fault'),
        '401': problem('No token, or not a valid token for this API'),
        '403': problem('The token lacks the scope this call requires (`insufficient_scope`), or the call would grant more than the caller holds (`forbidden`)'),
        ...(r.path.includes('{') ? { '404': problem('Not found') } : {}),
        ...(r.method !== 'GET' ? { '409': problem('Conflict with the current state (it exists already, or it must stay)') } : {}),
        ...(conditional(r) ? { '412': problem('If-Match did not match, or the resource changed before the write: read it again') } : {}),
      },
    };
    if (r.body) operation.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } };
    (paths[r.path] ??= {})[r.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tessera Management API',
      version: '1',
      description:
        'Manage APIs, clients, users, roles, service accounts, tokens, consents and keys. Authenticate with a Tessera access token, PAT or SAT for this API; each operation names the one scope it needs. Lists are paginated with `limit` and `cursor` (`nextCursor` in the response).',
    },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas: { Problem: PROBLEM },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A Tessera token whose audience is this API' } },
    },
  };
}
