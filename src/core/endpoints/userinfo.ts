/**
 * GET/POST /userinfo (OpenID Connect Core §5.3): the signed-in user's claims for an
 * access token granted with `openid`. Errors follow RFC 6750 §3: a challenge in
 * WWW-Authenticate, 401 for a bad token, 403 for missing scope. A DPoP-bound token
 * (RFC 9449 §7) comes under the `DPoP` scheme with a proof of its key, never as Bearer;
 * its refusals carry `DPoP` challenges (§7.1).
 */
import type { DpopService } from '../dpop/dpop-service.js';
import { DPOP_ALGS } from '../dpop/proof.js';
import type { Clock } from '../clock.js';
import { OAuthError } from '../errors.js';
import type { RoleRepository, UserRepository } from '../ports/storage.js';
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

/** RFC 9449 §7.1: the DPoP scheme's challenge, with the algorithms proofs may use. */
function dpopError(error: 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce', description: string, headers: Record<string, string> = {}): OAuthError {
  const challenge = `DPoP algs="${DPOP_ALGS.join(' ')}", error="${error}", error_description="${description}"`;
  return new OAuthError(error, 401, description, { ...headers, 'WWW-Authenticate': challenge });
}

function presentedToken(request: EngineRequest): { token: string; scheme: 'Bearer' | 'DPoP' } | undefined {
  const header = request.headers.authorization;
  const fromBody = request.method === 'POST' ? request.params.get('access_token') : undefined;
  if (header !== undefined && fromBody !== undefined) throw bearerError(400, 'invalid_request', 'send the token in one place only');
  if (header !== undefined) {
    const match = /^(Bearer|DPoP) +([\x21-\x7e]+)$/i.exec(header);
    if (!match) throw bearerError(401, 'invalid_token', 'malformed Authorization header');
    return { token: match[2]!, scheme: match[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer' };
  }
  return fromBody === undefined ? undefined : { token: fromBody, scheme: 'Bearer' };
}

/** The proof a DPoP-scheme request must carry: of the token's key, for this request, with `ath`. */
async function checkProof(dpop: DpopService, request: EngineRequest, token: string, jkt: string | undefined, now: number): Promise<void> {
  let proof: Awaited<ReturnType<DpopService['check']>>;
  try {
    proof = await dpop.check(request, now, token);
  } catch (error) {
    if (error instanceof OAuthError)
      throw dpopError(error.error === 'use_dpop_nonce' ? 'use_dpop_nonce' : 'invalid_dpop_proof', error.description, error.headers);
    throw error;
  }
  if (!proof) throw dpopError('invalid_dpop_proof', 'the DPoP scheme needs a DPoP proof');
  if (jkt === undefined) throw dpopError('invalid_token', 'the access token is not DPoP-bound; send it as Bearer');
  if (proof.jkt !== jkt) throw dpopError('invalid_token', 'the DPoP proof is not signed by the key the token is bound to');
}

export function userinfoEndpoint(
  store: Pick<UserRepository, 'getUser'> & Pick<RoleRepository, 'getRole'>,
  inspector: TokenInspector,
  catalog: Catalog,
  mapper: ClaimMapper,
  dpop: DpopService,
  clock: Clock,
) {
  return async function handleUserinfo(request: EngineRequest): Promise<EngineResponse> {
    const presented = presentedToken(request);
    if (presented === undefined) throw bearerError(401, undefined, 'an access token is required');
    const { token, scheme } = presented;
    const active = await inspector.inspect(token);
    if (!active || active.kind !== 'access_token') {
      throw scheme === 'DPoP'
        ? dpopError('invalid_token', 'the access token is invalid or has expired')
        : bearerError(401, 'invalid_token', 'the access token is invalid or has expired');
    }
    if (scheme === 'DPoP') await checkProof(dpop, request, token, active.jkt, clock.now());
    else if (active.jkt !== undefined) throw dpopError('invalid_token', 'the access token is DPoP-bound: send it with the DPoP scheme and a proof');
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
