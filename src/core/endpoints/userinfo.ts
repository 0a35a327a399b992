/**
 * GET/POST /userinfo (OpenID Connect Core §5.3): the signed-in user's claims for an
 * access token granted with `openid`. Errors follow RFC 6750 §3: a challenge in
 * WWW-Authenticate, 401 for a bad token, 403 for missing scope.
 */
import { OAuthError } from '../errors.js';
import type { Store } from '../ports/storage.js';
import type { EngineRequest, EngineResponse } from '../request.js';
import type { TokenInspector } from '../tokens/token-inspector.js';
import type { Catalog } from '../catalog.js';
import type { ClaimMapper } from '../tokens/claim-mapper.js';
import { userClaims } from '../tokens/user-claims.js';

function bearerError(status: 401 | 403 | 400, error: 'invalid_token' | 'insufficient_scope' | 'invalid_request' | undefined, description: string): OAuthError {
  const challenge = error
    ? `Bearer realm="tessera", error="${error}", error_description="${description}"${error === 'insufficient_scope' ? ', scope="openid"' : ''}`
    : 'Bearer realm="tessera"';
  return new OAuthError(error ?? 'invalid_request', status, description, { 'WWW-Authenticate': challenge });
}

function presentedToken(request: EngineRequest): string | undefined {
  const header = request.headers.authorization;
  const fromBody = request.method === 'POST' ? request.params.get('access_token') : undefined;
  if (header !== undefined && fromBody !== undefined) throw bearerError(400, 'invalid_request', 'send the token in one place only');
  if (header !== undefined) {
    const match = /^Bearer +([\x21-\x7e]+)$/i.exec(header);
    if (!match) throw bearerError(401, 'invalid_token', 'malformed Authorization header');
    return match[1];
  }
  return fromBody;
}

export function userinfoEndpoint(store: Store, inspector: TokenInspector, catalog: Catalog, mapper: ClaimMapper) {
  return async function handleUserinfo(request: EngineRequest): Promise<EngineResponse> {
    const token = presentedToken(request);
    if (token === undefined) throw bearerError(401, undefined, 'an access token is required');
    const active = await inspector.inspect(token);
    if (!active || active.kind !== 'access_token') throw bearerError(401, 'invalid_token', 'the access token is invalid or has expired');
    const scopes = active.scope.split(' ');
    if (!scopes.includes('openid')) throw bearerError(403, 'insufficient_scope', 'the access token was not granted the openid scope');
    // A sandboxed sign-in knows only its sandbox subject, never the user behind it.
    if (active.sandbox) return { status: 200, body: { sub: active.subject, sandbox: true } };
    const user = await store.getUser(active.subject);
    if (!user || !user.active) throw bearerError(401, 'invalid_token', 'the user is no longer active');
    const mapped = await mapper.forClient(await catalog.client(active.clientId), user);
    return { status: 200, body: { ...mapped, ...userClaims(user, scopes), sub: user.id } };
  };
}
