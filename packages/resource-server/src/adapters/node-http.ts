/**
 * Plain node:http:
 *   const guard = requireAuth(auth, requireScopes('read:calendars'));
 *   http.createServer(async (req, res) => {
 *     const principal = await guard(req, res);
 *     if (!principal) return;            // the refusal has been sent
 *     ...
 *   });
 * The principal is also left on `req.auth`.
 *
 * RFC 9728 metadata: `if (serveMetadata(req, res)) return;` with
 * `const serveMetadata = protectedResourceMetadata(auth)`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authenticator } from '../authenticator.js';
import { renderAuthError, type AuthError } from '../errors.js';
import { answerMetadataRequest } from '../resource-metadata.js';
import type { Guard } from '../guards.js';
import type { Principal } from '../principal.js';
import { authorizeRequest, reportWhenDone, requestHeaders } from './authorize-request.js';

export type AuthenticatedMessage = IncomingMessage & { auth?: Principal };

export function sendAuthError(res: ServerResponse, error: AuthError): void {
  const rendered = renderAuthError(error);
  res.writeHead(rendered.status, rendered.headers).end(rendered.body);
}

/** Answers a request for the RFC 9728 document and returns true; false for any other request (untouched). */
export function protectedResourceMetadata(authenticator: Authenticator): (req: IncomingMessage, res: ServerResponse) => boolean {
  if (!authenticator.resourceMetadata) throw new TypeError('protectedResourceMetadata: create the authenticator with a protectedResource option');
  return function tesseraProtectedResourceMetadata(req, res) {
    const answer = answerMetadataRequest(authenticator.resourceMetadata, req.method ?? 'GET', (req.url ?? '/').split('?')[0]!);
    if (!answer) return false;
    res.writeHead(answer.status, answer.headers).end(req.method === 'HEAD' ? undefined : answer.body);
    return true;
  };
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
