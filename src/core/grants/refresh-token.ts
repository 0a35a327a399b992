/**
 * refresh_token (RFC 6749 §6) with rotation and reuse detection (RFC 9700 §4.14).
 * The user must still be active and, for third-party clients, the consent must
 * still be on file; a narrower `scope` may be asked for, never a wider one. A
 * `resource` or `audience` must name the grant's own API (RFC 8707 §2.2): a refresh
 * token never reaches another one.
 */
import { requestOrigin } from '../audit/request-origin.js';
import { checkTokenString, TOKEN_PREFIXES } from '../crypto/token-string.js';
import { invalidGrant, invalidScope, invalidTarget } from '../errors.js';
import type { StoredToken } from '../model.js';
import type { RefreshTokenDetails } from '../tokens/refresh-token-issuer.js';
import type { TokenEndpointContext } from './context.js';
import type { GrantHandler } from './grant.js';
import { predatesClient } from '../tokens/client-revocation.js';
import { isGrantRevoked, revokeGrant } from '../tokens/grant-revocation.js';
import { issueUserTokens } from './user-tokens.js';

/**
 * A consumed token may be retried within the grace period while its successor is
 * unused: the retry gets that same successor (refresh-token-issuer.ts), so the family
 * never forks. A successor not stored yet is being issued by a concurrent request.
 */
async function isGraceRetry(context: TokenEndpointContext, stored: StoredToken, token: string, now: number): Promise<boolean> {
  const grace = context.refreshTokens.policy.reuseGrace;
  if (grace <= 0 || stored.consumedAt === undefined || now - stored.consumedAt > grace) return false;
  const successor = await context.store.findTokenByHash(context.refreshTokens.successorOf(token).hash);
  return successor === undefined || (successor.consumedAt === undefined && successor.revokedAt === undefined);
}

export const refreshTokenGrant: GrantHandler = {
  grantType: 'refresh_token',
  parameters: ['refresh_token', 'scope', 'resource', 'audience'],
  async handle(context, client, request) {
    const token = request.params.require('refresh_token');
    const requestedScope = request.params.get('scope');
    if (checkTokenString(token) !== TOKEN_PREFIXES.refresh_token) throw invalidGrant('the refresh token is invalid');
    const now = context.clock.now();
    const hash = context.hasher.hash(token);
    const stored = await context.store.findTokenByHash(hash);
    if (!stored || stored.kind !== 'refresh_token' || stored.clientId !== client.clientId) throw invalidGrant('the refresh token is invalid');
    if (stored.revokedAt !== undefined) throw invalidGrant('the refresh token has been revoked');
    // Issued to a deleted client of the same id, e.g. rotated while the deletion was revoking its tokens (tokens/client-revocation.ts).
    if (predatesClient(client, stored.issuedAt)) throw invalidGrant('the refresh token has been revoked');
    if (stored.expiresAt <= now) throw invalidGrant('the refresh token has expired');
    if (await isGrantRevoked(context.store, stored.grantId)) throw invalidGrant('the refresh token has been revoked');
    // RFC 9449 §5: a bound refresh token is used only with a proof of the same key.
    const boundTo = (stored.details as RefreshTokenDetails | undefined)?.jkt;
    if (boundTo !== undefined && context.dpop?.jkt !== boundTo) {
      throw invalidGrant(context.dpop ? 'the refresh token is bound to another DPoP key' : 'the refresh token is DPoP-bound: send a DPoP proof of its key');
    }
    // Checked before the token is used, so a refused target costs the client nothing.
    const grantedApi = (stored.details as RefreshTokenDetails | undefined)?.api ?? context.userinfoApi.identifier;
    const targets = [...request.params.getAll('resource'), ...request.params.getAll('audience')];
    if (targets.some((t) => t !== grantedApi)) throw invalidTarget(`this refresh token is for ${grantedApi} only`);
    if (!(await context.store.consumeToken(hash, now))) {
      const current = (await context.store.findTokenByHash(hash)) ?? stored;
      if (!(await isGraceRetry(context, current, token, now))) {
        if (current.grantId) await revokeGrant(context.store, current.grantId, now, context.refreshTokens.policy.ttl);
        context.audit.record({
          type: 'token.revoked',
          outcome: 'success',
          actor: { type: 'system', id: 'reuse-detection' },
          subject: stored.subject,
          clientId: client.clientId,
          tokenKind: 'refresh_token',
          tokenId: stored.jti,
          reason: 'refresh_token_reuse: every token of the grant is revoked',
          ...requestOrigin(request),
          ...(current.grantId ? { details: { grantId: current.grantId } } : {}),
        });
        throw invalidGrant('the refresh token was already used; every token of this grant is revoked');
      }
    }
    const user = await context.store.getUser(stored.subject);
    if (!user || !user.active) throw invalidGrant('the user is no longer active');
    const granted = stored.scope.split(' ').filter(Boolean);
    const details = (stored.details ?? {}) as RefreshTokenDetails;
    if (!client.firstParty && !details.sandbox) {
      const consent = await context.store.getConsent(user.id, client.clientId);
      if (!consent || granted.some((s) => !consent.scopes.includes(s))) throw invalidGrant('the user has revoked this access');
    }
    let scopes = granted;
    if (requestedScope !== undefined) {
      scopes = [...new Set(requestedScope.split(' ').filter(Boolean))];
      const wider = scopes.filter((s) => !granted.includes(s));
      if (wider.length > 0) throw invalidScope(`not part of the original grant: ${wider.join(' ')}`);
    }
    const issued = await issueUserTokens(context, {
      client,
      user,
      scopes,
      grantId: stored.grantId ?? stored.jti,
      authTime: details.authTime ?? stored.issuedAt,
      amr: details.amr ?? [],
      ...(details.sid !== undefined ? { sid: details.sid } : {}),
      ...(details.api !== undefined ? { api: details.api } : {}),
      parentRefresh: { token, hash },
      ...(details.sandbox ? { sandbox: true } : {}),
    });
    return { body: issued.body, issued: { ...issued.issued, details: { refreshedTokenId: stored.jti } } };
  },
};
