/**
 * authorization_code (RFC 6749 §4.1.3, RFC 7636). The code is used up atomically
 * (one winner however many race); a second use is an attack or a bug, so it fails
 * and revokes everything issued from the code (RFC 6749 §10.5, RFC 9700 §4.5).
 */
import { createHash } from 'node:crypto';
import { constantTimeEqual } from '../crypto/constant-time.js';
import { requestOrigin } from '../audit/request-origin.js';
import { checkTokenString, TOKEN_PREFIXES } from '../crypto/token-string.js';
import { invalidGrant, invalidRequest } from '../errors.js';
import type { AuthorizationCode } from '../interaction/complete-authorization.js';
import type { GrantHandler } from './grant.js';
import { predatesClient } from '../tokens/client-revocation.js';
import { revokeGrant } from '../tokens/grant-revocation.js';
import { issueUserTokens } from './user-tokens.js';

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

function pkceMatches(verifier: string, challenge: string): boolean {
  return constantTimeEqual(createHash('sha256').update(verifier, 'ascii').digest('base64url'), challenge);
}

export const authorizationCodeGrant: GrantHandler = {
  grantType: 'authorization_code',
  parameters: ['code', 'redirect_uri', 'code_verifier'],
  async handle(context, client, request) {
    const { params } = request;
    const code = params.require('code');
    const verifier = params.get('code_verifier');
    const redirectUri = params.get('redirect_uri');
    if (checkTokenString(code) !== TOKEN_PREFIXES.authorization_code) throw invalidGrant('the code is invalid or has expired');
    const now = context.clock.now();
    const codeId = context.hasher.hash(code);
    const used = await context.store.consumeRecord<AuthorizationCode>('code', codeId, now);
    if (!used) throw invalidGrant('the code is invalid or has expired');
    const record = used.doc;
    if (record.clientId !== client.clientId) throw invalidGrant('the code was issued to another client');
    // Issued to a deleted client of the same id (tokens/client-revocation.ts).
    if (record.issuedAt !== undefined && predatesClient(client, record.issuedAt))
      throw invalidGrant('the code was issued to a client that has since been deleted');
    if (!used.firstUse) {
      await revokeGrant(context.store, record.grantId, now, context.refreshTokens.policy.ttl);
      if (record.accessJti && record.accessExp) await context.store.revokeJti(record.accessJti, record.accessExp);
      context.audit.record({
        type: 'token.revoked',
        outcome: 'success',
        actor: { type: 'system', id: 'reuse-detection' },
        subject: record.userId,
        clientId: client.clientId,
        reason: 'authorization_code_reuse: every token issued from the code is revoked',
        ...requestOrigin(request),
        details: { grantId: record.grantId },
      });
      throw invalidGrant('the code has already been used; the tokens issued from it are revoked');
    }
    if (record.redirectUriGiven || redirectUri !== undefined) {
      if (redirectUri !== record.redirectUri) throw invalidGrant('redirect_uri does not match the authorization request');
    }
    if (record.codeChallenge !== undefined) {
      if (verifier === undefined) throw invalidRequest('code_verifier is required (PKCE)');
      if (!VERIFIER.test(verifier) || !pkceMatches(verifier, record.codeChallenge)) throw invalidGrant('code_verifier does not match the code_challenge');
    } else if (verifier !== undefined) {
      throw invalidGrant('code_verifier sent, but the authorization request had no code_challenge');
    }
    // dpop_jkt at /authorize (RFC 9449 §10): the code goes only with a proof from that key.
    if (record.dpopJkt !== undefined && context.dpop?.jkt !== record.dpopJkt) {
      throw invalidGrant('the authorization request bound this code to another DPoP key (dpop_jkt)');
    }
    const user = await context.store.getUser(record.userId);
    if (!user || !user.active) throw invalidGrant('the user is no longer active');
    const issued = await issueUserTokens(context, {
      client,
      user,
      scopes: record.scopes,
      grantId: record.grantId,
      authTime: record.authTime,
      amr: record.amr ?? [],
      sid: record.sid,
      ...(record.api !== undefined ? { api: record.api } : {}),
      ...(record.nonce !== undefined ? { nonce: record.nonce } : {}),
      ...(record.sandbox ? { sandbox: true } : {}),
    });
    // Remember the access token so that a replay of this code can revoke it.
    await context.store.putRecord('code', codeId, { ...record, accessJti: issued.accessJti, accessExp: issued.accessExp }, now + 60);
    return { body: issued.body, issued: issued.issued };
  },
};
