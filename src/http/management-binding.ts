/** Binds the management API (src/management) to node:http under <issuer path>/api/v1. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthorizationServer } from '../core/authorization-server.js';
import type { managementRouter } from '../management/router.js';
import { readBody } from './read-body.js';
import { type RequestHeaders, send } from './respond.js';

export const MANAGEMENT_PREFIX = '/api/v1';
const JSON_BODY_LIMIT = 256 * 1024;

export function managementBinding(engine: AuthorizationServer, clientAddress: (req: IncomingMessage) => string) {
  // The API (its routes, schemas and OpenAPI document) loads on its first request: a
  // server that only issues tokens never pays for it in memory.
  let router: Promise<ReturnType<typeof managementRouter>> | undefined;
  const loadRouter = () => (router ??= import('../management/router.js').then((m) => m.managementRouter(engine)));
  return async function serveManagement(
    req: IncomingMessage,
    res: ServerResponse,
    relative: string,
    query: string,
    requestHeaders: RequestHeaders = {},
  ): Promise<void> {
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    const body = ['POST', 'PUT', 'PATCH'].includes(method) ? await readBody(req, JSON_BODY_LIMIT) : undefined;
    const response = await (await loadRouter())({
      method,
      path: relative.slice(MANAGEMENT_PREFIX.length) || '/',
      query: new URLSearchParams(query),
      headers: req.headers as Record<string, string | undefined>,
      ...(body !== undefined ? { body } : {}),
      ip: clientAddress(req),
      ...(requestHeaders['X-Request-Id'] !== undefined ? { requestId: requestHeaders['X-Request-Id'] } : {}),
    });
    send(res, response, requestHeaders);
  };
}
