/**
 * Plain node:http:
 *   const guard = requireAuth(auth, requireScopes('read:calendars'));
 *   http.createServer(async (req, res) => {
 *     const principal = await guard(req, res);
 *     if (!principal) return;            // the refusal has been sent
 *     ...
 *   });
 * The principal is also left on `req.auth`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authenticator } from '../authenticator.js';
import { renderAuthError, type AuthError } from '../errors.js';
import type { Guard } from '../guards.js';
import type { Principal } from '../principal.js';
import { authorizeRequest, reportWhenDone, requestHeaders } from './authorize-request.js';

export type AuthenticatedMessage = IncomingMessage & { auth?: Principal };

export function sendAuthError(res: ServerResponse, error: AuthError): void {
  const rendered = renderAuthError(error);
  res.writeHead(rendered.status, rendered.headers).end(rendered.body);
}

export function requireAuth(authenticator: Authenticator, ...guards: Guard[]) {
  return async function tesseraRequireAuth(req: AuthenticatedMessage, res: ServerResponse): Promise<Principal | undefined> {
    const startedAt = performance.now();
    const request = { method: req.method ?? 'GET', url: req.url ?? '/', headers: requestHeaders(req) };
    const { result, principal } = await authorizeRequest(authenticator, request, req.auth, guards);
    if (principal) reportWhenDone(authenticator, res, { principal, method: request.method, url: request.url, startedAt });
    if (!result.ok) {
      sendAuthError(res, result.error);
      return undefined;
    }
    req.auth = result.principal;
    return result.principal;
  };
}
