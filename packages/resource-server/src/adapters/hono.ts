/**
 * Hono: `app.use('/api/*', requireAuth(auth))`, or per route
 * `app.get('/calendars', requireAuth(auth, requireScopes('read:calendars')), handler)`.
 * The principal is `c.get('auth')`; refusals are answered with the RFC 6750 challenge.
 * `app.use(protectedResourceMetadata(auth))` serves the RFC 9728 document.
 */
import type { MiddlewareHandler } from 'hono';
import type { Authenticator } from '../authenticator.js';
import { renderAuthError, type AuthError } from '../errors.js';
import { answerMetadataRequest } from '../resource-metadata.js';
import type { Guard } from '../guards.js';
import type { Principal } from '../principal.js';
import { authorizeRequest } from './authorize-request.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by Tessera's requireAuth. */
    auth: Principal;
  }
}

export function authErrorResponse(error: AuthError): Response {
  const rendered = renderAuthError(error);
  return new Response(rendered.body, { status: rendered.status, headers: rendered.headers });
}

/** The request target (path and query) of a Fetch API URL. */
function requestTarget(href: string): string {
  const url = new URL(href);
  return href.slice(url.origin.length) || '/';
}

/** Answers GET /.well-known/oauth-protected-resource[/path] (RFC 9728); passes every other request on. */
export function protectedResourceMetadata(authenticator: Authenticator): MiddlewareHandler {
  if (!authenticator.resourceMetadata) throw new TypeError('protectedResourceMetadata: create the authenticator with a protectedResource option');
  return async function tesseraProtectedResourceMetadata(c, next) {
    const answer = answerMetadataRequest(authenticator.resourceMetadata, c.req.method, new URL(c.req.url).pathname);
    if (!answer) return next();
    return new Response(answer.status === 204 || c.req.method === 'HEAD' ? null : answer.body, { status: answer.status, headers: answer.headers });
  };
}

export function requireAuth(authenticator: Authenticator, ...guards: Guard[]): MiddlewareHandler {
  return async function tesseraRequireAuth(c, next) {
    const startedAt = performance.now();
    const headers = { authorization: c.req.header('authorization'), dpop: c.req.header('dpop') };
    const already = c.get('auth') as Principal | undefined;
    const method = c.req.method;
    const url = requestTarget(c.req.url);
    const { result, principal } = await authorizeRequest(authenticator, { method, url, headers }, already, guards);
    // The outermost requireAuth reports the call, with the status the whole chain answered.
    const report = principal !== undefined && already === undefined && authenticator.usage.enabled;
    const done = (status: number) => authenticator.recordCall({ principal: principal!, method, url, status, durationMs: performance.now() - startedAt });
    if (!result.ok) {
      const response = authErrorResponse(result.error);
      if (report) done(response.status);
      return response;
    }
    c.set('auth', result.principal);
    if (!report) return next();
    let failed = true;
    try {
      await next();
      failed = false;
    } finally {
      // Hono turns a handler's error into c.res (onError); a throw here means nothing was answered yet.
      done(failed ? 500 : c.res.status);
    }
  };
}
