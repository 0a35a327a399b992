/**
 * The token response for a user's grant, shared by the authorization_code and
 * refresh_token grants: an access token for the API (or for userinfo alone), a
 * rotated refresh token when the client may refresh, and an ID token for openid.
 * The scopes are narrowed to what the user's roles allow now (credentials/delegation.ts):
 * a role taken away is gone from the next token, whatever the consent says.
 */
import type { Client, User } from '../model.js';
import { delegableByUser } from '../credentials/delegation.js';
import { sandboxSid, sandboxSubject } from '../credentials/sandbox.js';
import type { TokenEndpointContext } from './context.js';
import type { IssuedTokens, TokenResponse } from './grant.js';

export interface UserGrant {
  client: Client;
  user: User;
  scopes: string[];
  api?: string;
  grantId: string;
  authTime: number;
  /** How the user signed in (RFC 8176 values). */
  amr: string[];
  sid?: string;
  nonce?: string;
  /** The refresh token this response replaces (its successor is derived from it). */
  parentRefresh?: { token: string; hash: string };
  /** A sandboxed sign-in: tokens are for the client's sandbox subject, not the user. */
  sandbox?: boolean;
}

export async function issueUserTokens(
  context: TokenEndpointContext,
  grant: UserGrant,
): Promise<{ body: TokenResponse; issued: IssuedTokens; accessJti: string; accessExp: number }> {
  const api = (grant.api !== undefined ? await context.catalog.api(grant.api) : undefined) ?? context.userinfoApi;
  const scopes = await delegableByUser(context.store, grant.user, api, grant.scopes);
  const subject = grant.sandbox ? sandboxSubject(context.hasher, grant.user.id, grant.client.clientId) : grant.user.id;
  const access = await context.accessTokens.issue({
    api,
    clientId: grant.client.clientId,
    subject,
    scopes,
    grantId: grant.grantId,
    authentication: { authTime: grant.authTime, amr: grant.amr },
    ...(grant.sandbox ? { sandbox: true } : {}),
  });
  const body: TokenResponse = {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: access.expiresIn,
    scope: scopes.join(' '),
  };
  const issued: IssuedTokens = { subject, api: api.identifier, scopes, tokens: [{ kind: 'access_token', id: access.jti }] };
  if (grant.client.grantTypes.includes('refresh_token')) {
    const refresh = await context.refreshTokens.issue({
      clientId: grant.client.clientId,
      userId: grant.user.id,
      scopes,
      grantId: grant.grantId,
      details: {
        authTime: grant.authTime,
        ...(grant.amr.length > 0 ? { amr: grant.amr } : {}),
        ...(grant.sid ? { sid: grant.sid } : {}),
        ...(grant.api ? { api: grant.api } : {}),
        ...(grant.sandbox ? { sandbox: true } : {}),
      },
      ...(grant.parentRefresh ? { parent: grant.parentRefresh } : {}),
    });
    body.refresh_token = refresh.token;
    issued.tokens.push({ kind: 'refresh_token', id: refresh.jti });
  }
  if (scopes.includes('openid')) {
    body.id_token = context.idTokens.issue({
      user: grant.user,
      subject,
      clientId: grant.client.clientId,
      authTime: grant.authTime,
      amr: grant.amr,
      accessToken: access.token,
      ...(grant.client.idTokenSignedResponseAlg ? { alg: grant.client.idTokenSignedResponseAlg } : {}),
      ...(grant.sandbox ? {} : { mappedClaims: await context.claims.forClient(grant.client, grant.user) }),
      ...(grant.sid ? { sid: grant.sandbox ? sandboxSid(context.hasher, grant.sid, grant.client.clientId) : grant.sid } : {}),
      ...(grant.nonce !== undefined ? { nonce: grant.nonce } : {}),
    });
    issued.tokens.push({ kind: 'id_token' });
  }
  return { body, issued, accessJti: access.jti, accessExp: access.expiresAt };
}
