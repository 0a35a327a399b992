/**
 * POST /revoke (RFC 7009). A client revokes a token issued to it. Unknown, expired or
 * malformed tokens are answered 200 (§2.2: the client cannot do anything about them);
 * a token of another client is refused. A revoked JWT's jti is kept until it expires
 * so that introspection reports it inactive.
 */
import type { AuditLog } from '../audit/audit-log.js';
import { requestOrigin } from '../audit/request-origin.js';
import type { ClientAuthenticator } from '../client-auth/authenticate-client.js';
import type { Clock } from '../clock.js';
import { unauthorizedClient } from '../errors.js';
import type { RevocationRepository, TokenRepository } from '../ports/storage.js';
import type { EngineRequest, EngineResponse } from '../request.js';
import { revokeGrant } from '../tokens/grant-revocation.js';
import type { TokenInspector } from '../tokens/token-inspector.js';

export function revocationEndpoint(
  clientAuth: ClientAuthenticator,
  inspector: TokenInspector,
  store: TokenRepository & RevocationRepository,
  clock: Clock,
  /** How long any token of a grant can live: the revoked-grant marker is kept that long. */
  grantLifetime: number,
  audit: AuditLog,
) {
  return async function handleRevocation(request: EngineRequest): Promise<EngineResponse> {
    const client = await clientAuth.authenticate(request);
    const token = request.params.require('token');
    request.params.get('token_type_hint');
    const active = await inspector.inspect(token);
    if (active) {
      const event = {
        type: 'token.revoked',
        actor: { type: 'client', id: client.clientId },
        subject: active.subject,
        clientId: active.clientId,
        tokenKind: active.kind,
        tokenId: active.jti,
        ...requestOrigin(request),
      } as const;
      if (active.clientId !== client.clientId) {
        audit.record({ ...event, outcome: 'failure', reason: 'unauthorized_client: the token was not issued to this client' });
        throw unauthorizedClient('the token was not issued to this client');
      }
      // A refresh token takes its whole grant with it (RFC 7009 §2.1).
      if (active.kind === 'refresh_token' && active.grantId) await revokeGrant(store, active.grantId, clock.now(), grantLifetime);
      else if (active.hash !== undefined) await store.revokeToken(active.hash, clock.now());
      else await store.revokeJti(active.jti, active.expiresAt);
      audit.record({ ...event, outcome: 'success', ...(active.grantId ? { details: { grantId: active.grantId } } : {}) });
    }
    return { status: 200 };
  };
}
