/**
 * Express (4 and 5): `app.use(requireAuth(auth))`, or per route
 * `app.get('/calendars', requireAuth(auth, requireScopes('read:calendars')), handler)`.
 * The principal is `req.auth`; refusals are answered with the RFC 6750 challenge.
 * `app.use(protectedResourceMetadata(auth))` serves the RFC 9728 document.
 */
import type { RequestHandler, Response } from 'express';
import type { Authenticator } from '../authenticator.js';
import { renderAuthError, type AuthError } from '../errors.js';
import { answerMetadataRequest } from '../resource-metadata.js';
import type { Guard } from '../guards.js';
import type { Principal } from '../principal.js';
import { authorizeRequest, reportWhenDone, requestHeaders } from './authorize-request.js';

declare global {
  namespace Express {
    interface Request {
      /** Set by Tessera's requireAuth. */
      auth?: Principal;
    }
  }
}

export function sendAuthError(res: Response, error: AuthError): void {
  const rendered = renderAuthError(error);
  res.status(rendered.status).set(rendered.headers).send(rendered.body);
}

/** Answers GET /.well-known/oauth-protected-resource[/path] (RFC 9728); passes every other request on. Mount at the root. */
export function protectedResourceMetadata(authenticator: Authenticator): RequestHandler {
  if (!authenticator.resourceMetadata) throw new TypeError('protectedResourceMetadata: create the authenticator with a protectedResource option');
  return function tesseraProtectedResourceMetadata(req, res, next) {
    const answer = answerMetadataRequest(authenticator.resourceMetadata, req.method, req.originalUrl.split('?')[0]!);
    if (!answer) return next();
    res.status(answer.status).set(answer.headers).send(answer.body);
  };
}

export function requireAuth(authenticator: Authenticator, ...guards: Guard[]): RequestHandler {
  return function tesseraRequireAuth(req, res, next) {
    const startedAt = performance.now();
    // originalUrl: the path as sent, even under a mounted router.
    const url = req.originalUrl;
    authorizeRequest(authenticator, { method: req.method, url, headers: requestHeaders(req) }, req.auth, guards).then(({ result, principal }) => {
      if (principal) reportWhenDone(authenticator, res, { principal, method: req.method, url, startedAt });
      if (!result.ok) return sendAuthError(res, result.error);
      req.auth = result.principal;
      next();
    }, next);
  };
}
