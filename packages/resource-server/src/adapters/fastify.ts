/**
 * Fastify: `fastify.addHook('preHandler', requireAuth(auth))`, or per route
 * `{ preHandler: requireAuth(auth, requireScopes('read:calendars')) }`.
 * The principal is `request.auth`; refusals are answered with the RFC 6750 challenge.
 * `fastify.register(protectedResourceMetadata(auth))` serves the RFC 9728 document.
 */
import type { FastifyInstance, FastifyReply, preHandlerAsyncHookHandler } from 'fastify';
import type { Authenticator } from '../authenticator.js';
import { renderAuthError, type AuthError } from '../errors.js';
import { answerMetadataRequest } from '../resource-metadata.js';
import type { Guard } from '../guards.js';
import type { Principal } from '../principal.js';
import { authorizeRequest, reportWhenDone, requestHeaders } from './authorize-request.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by Tessera's requireAuth. */
    auth?: Principal;
  }
}

export function sendAuthError(reply: FastifyReply, error: AuthError): FastifyReply {
  const rendered = renderAuthError(error);
  return reply.code(rendered.status).headers(rendered.headers).send(rendered.body);
}

/** A plugin with the routes of the RFC 9728 document: GET (and HEAD, OPTIONS) /.well-known/oauth-protected-resource[/path]. Register without a prefix. */
export function protectedResourceMetadata(authenticator: Authenticator): (fastify: FastifyInstance) => Promise<void> {
  const metadata = authenticator.resourceMetadata;
  if (!metadata) throw new TypeError('protectedResourceMetadata: create the authenticator with a protectedResource option');
  return async function tesseraProtectedResourceMetadata(fastify) {
    for (const url of metadata.paths) {
      fastify.route({
        method: ['GET', 'OPTIONS'],
        url,
        handler: async (request, reply) => {
          const answer = answerMetadataRequest(metadata, request.method, url)!;
          return reply.code(answer.status).headers(answer.headers).send(answer.body);
        },
      });
    }
  };
}

export function requireAuth(authenticator: Authenticator, ...guards: Guard[]): preHandlerAsyncHookHandler {
  return async function tesseraRequireAuth(request, reply) {
    const startedAt = performance.now();
    // raw.url: the request target as sent (request.url may be rewritten).
    const url = request.raw.url ?? request.url;
    const { result, principal } = await authorizeRequest(
      authenticator,
      { method: request.method, url, headers: requestHeaders(request.raw) },
      request.auth,
      guards,
    );
    if (principal) reportWhenDone(authenticator, reply.raw, { principal, method: request.method, url, startedAt });
    if (!result.ok) return sendAuthError(reply, result.error);
    request.auth = result.principal;
  };
}
