/**
 * POST /token (RFC 6749 §3.2): authenticate the client, then run the grant it asks for.
 * Every token issued is audited (one event per token: kind and id, never the token),
 * and the response waits until those records are committed; a grant that fails once
 * the client is known is audited too (without waiting).
 */
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditEventType } from '../audit/audit-event.js';
import { requestOrigin } from '../audit/request-origin.js';
import type { ClientAuthenticator } from '../client-auth/authenticate-client.js';
import { OAuthError, unauthorizedClient, unsupportedGrantType } from '../errors.js';
import type { TokenEndpointContext } from '../grants/context.js';
import type { GrantHandler, IssuedTokens } from '../grants/grant.js';
import { TOKEN_EXCHANGE } from '../grants/token-exchange.js';
import type { Client } from '../model.js';
import type { EngineRequest, EngineResponse } from '../request.js';
import type { DpopService } from '../dpop/dpop-service.js';
import { invalidDpopProof } from '../dpop/proof.js';
import { boundIssuer } from '../tokens/access-token-issuer.js';

/** The audit event a grant's tokens are recorded as. */
const EVENT_OF_GRANT: Record<string, AuditEventType> = {
  refresh_token: 'token.refreshed',
  [TOKEN_EXCHANGE]: 'token.exchanged',
};

export function tokenEndpoint(grants: Map<string, GrantHandler>, clientAuth: ClientAuthenticator, context: TokenEndpointContext, dpop: DpopService) {
  return async function handleTokenRequest(request: EngineRequest): Promise<EngineResponse> {
    const grantType = request.params.require('grant_type');
    const grant = grants.get(grantType);
    if (!grant) throw unsupportedGrantType(`grant_type ${grantType} is not supported`);
    const client = await clientAuth.authenticate(request);
    const type = EVENT_OF_GRANT[grantType] ?? 'token.issued';
    try {
      if (!client.grantTypes.includes(grantType)) {
        throw unauthorizedClient(`client is not allowed to use grant_type ${grantType}`);
      }
      // DPoP (RFC 9449 §5): with a valid proof, every access token the grant issues is bound to its key.
      const now = context.clock.now();
      const proof = await dpop.check(request, now);
      if (!proof && client.requireDpop) throw invalidDpopProof(`client ${client.clientId} must send a DPoP proof`);
      const bound = proof ? { ...context, dpop: { jkt: proof.jkt }, accessTokens: boundIssuer(context.accessTokens, proof.jkt) } : context;
      const { body, issued } = await grant.handle(bound, client, request);
      if (proof) body.token_type = 'DPoP';
      // The response waits for the audit records: an acknowledged token is never unaudited.
      await recordIssued(context.audit, type, grantType, client, issued, request);
      return { status: 200, body, headers: dpop.responseHeaders(now) };
    } catch (error) {
      // A device waiting for its user polls every few seconds: that is not worth a record each time.
      if (error instanceof OAuthError && error.error !== 'authorization_pending') {
        context.audit.record({
          type,
          outcome: 'failure',
          actor: { type: 'client', id: client.clientId },
          clientId: client.clientId,
          reason: `${error.error}: ${error.description}`,
          ...requestOrigin(request),
          details: { grantType },
        });
      }
      throw error;
    }
  };
}

async function recordIssued(
  audit: AuditLog,
  type: AuditEventType,
  grantType: string,
  client: Client,
  issued: IssuedTokens,
  request: EngineRequest,
): Promise<void> {
  const origin = requestOrigin(request);
  const committed: Promise<void>[] = [];
  for (const token of issued.tokens) {
    committed.push(
      audit.recordDurably({
        type,
        outcome: 'success',
        actor: { type: 'client', id: client.clientId },
        subject: issued.subject,
        clientId: client.clientId,
        ...(issued.api !== undefined ? { api: issued.api } : {}),
        scopes: issued.scopes,
        tokenKind: token.kind,
        ...(token.id !== undefined ? { tokenId: token.id } : {}),
        ...origin,
        details: { grantType, ...issued.details },
      }),
    );
  }
  await Promise.all(committed);
}
