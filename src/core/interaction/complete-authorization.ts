/**
 * The successful end of an authorization request: issue what the response_type asks
 * for (a code, an access token, an ID token), then send it back to the client.
 * Codes are single-use, live 60 seconds, and remember everything the token request
 * must match (client, redirect_uri, PKCE challenge) and the grant they start.
 * What is issued is narrowed to what the user may delegate (credentials/delegation.ts).
 */
import { randomUUID } from 'node:crypto';
import type { RequestOrigin } from '../audit/request-origin.js';
import { hasResponseType, type AuthorizationRequest } from '../authorize/authorization-request.js';
import { deliverAuthorizationResponse } from '../authorize/deliver-response.js';
import { mintTokenString, TOKEN_PREFIXES } from '../crypto/token-string.js';
import type { User } from '../model.js';
import type { EngineResponse } from '../request.js';
import { delegableByUser } from '../credentials/delegation.js';
import { sandboxSid, sandboxSubject } from '../credentials/sandbox.js';
import type { FlowContext } from './flow-context.js';
import { SESSION_TTL, type Session } from './sessions.js';

export const CODE_TTL = 60;

export interface AuthorizationCode {
  clientId: string;
  userId: string;
  redirectUri: string;
  redirectUriGiven: boolean;
  scopes: string[];
  api?: string;
  nonce?: string;
  codeChallenge?: string;
  /** The DPoP key the code must be redeemed with (dpop_jkt at /authorize). */
  dpopJkt?: string;
  authTime: number;
  /** When the code was issued (seconds): a client created later under the same id must not redeem it. Absent on codes issued before it was recorded. */
  issuedAt?: number;
  /** How the user signed in (the session's amr). */
  amr?: string[];
  sid: string;
  grantId: string;
  sandbox?: boolean;
  /** Filled in when the code is redeemed, so a replay can revoke that access token. */
  accessJti?: string;
  accessExp?: number;
}

export async function completeAuthorization(
  ctx: FlowContext,
  asked: AuthorizationRequest,
  user: User,
  session: Session,
  origin: RequestOrigin = {},
): Promise<EngineResponse> {
  const request = { ...asked, scopes: await delegableByUser(ctx.store, user, asked.api, asked.scopes) };
  const grantId = randomUUID();
  const subject = request.sandbox ? sandboxSubject(ctx.hasher, user.id, request.clientId) : user.id;
  const response: Record<string, string | undefined> = { state: request.state };
  let code: string | undefined;
  if (hasResponseType(request, 'code')) {
    code = mintTokenString(TOKEN_PREFIXES.authorization_code);
    const record: AuthorizationCode = {
      clientId: request.clientId,
      userId: user.id,
      redirectUri: request.redirectUri,
      redirectUriGiven: request.redirectUriGiven,
      scopes: request.scopes,
      authTime: session.authTime,
      issuedAt: ctx.clock.now(),
      sid: session.sid,
      grantId,
    };
    if (session.amr.length > 0) record.amr = session.amr;
    if (request.api !== undefined) record.api = request.api;
    if (request.nonce !== undefined) record.nonce = request.nonce;
    if (request.codeChallenge !== undefined) record.codeChallenge = request.codeChallenge;
    if (request.dpopJkt !== undefined) record.dpopJkt = request.dpopJkt;
    if (request.sandbox) record.sandbox = true;
    await ctx.store.putRecord('code', ctx.hasher.hash(code), record, ctx.clock.now() + CODE_TTL);
    response.code = code;
  }
  let accessToken: string | undefined;
  if (hasResponseType(request, 'token')) {
    const api = (request.api !== undefined ? await ctx.catalog.api(request.api) : undefined) ?? ctx.userinfoApi;
    const issued = await ctx.accessTokens.issue({
      api,
      clientId: request.clientId,
      subject,
      scopes: request.scopes,
      grantId,
      authentication: { authTime: session.authTime, amr: session.amr },
      ...(request.sandbox ? { sandbox: true } : {}),
    });
    accessToken = issued.token;
    await recordFrontChannelToken(ctx, request, subject, origin, 'access_token', issued.jti, api.identifier);
    Object.assign(response, { access_token: issued.token, token_type: 'Bearer', expires_in: String(issued.expiresIn), scope: request.scopes.join(' ') });
  }
  if (hasResponseType(request, 'id_token')) {
    await recordFrontChannelToken(ctx, request, subject, origin, 'id_token');
    const alg = (await ctx.catalog.client(request.clientId))?.idTokenSignedResponseAlg;
    response.id_token = ctx.idTokens.issue({
      user,
      subject,
      clientId: request.clientId,
      ...(alg ? { alg } : {}),
      authTime: session.authTime,
      amr: session.amr,
      sid: request.sandbox ? sandboxSid(ctx.hasher, session.sid, request.clientId) : session.sid,
      ...(request.nonce !== undefined ? { nonce: request.nonce } : {}),
      ...(accessToken !== undefined ? { accessToken } : {}),
      ...(request.sandbox ? {} : { mappedClaims: await ctx.claims.forClient(await ctx.catalog.client(request.clientId), user) }),
      ...(code !== undefined ? { code } : {}),
      ...(request.responseType === 'id_token' ? { claimsFromScopes: request.scopes } : {}),
    });
  }
  if (ctx.backchannelLogout) {
    const sid = request.sandbox ? sandboxSid(ctx.hasher, session.sid, request.clientId) : session.sid;
    await ctx.backchannelLogout.signedInto(session.sid, session.authTime + SESSION_TTL, { clientId: request.clientId, sub: subject, sid });
  }
  return deliverAuthorizationResponse(request.redirectUri, request.responseMode, response, ctx.issuer, ctx.views);
}

/**
 * Tokens handed out by the authorization endpoint itself (implicit and hybrid) are
 * audited like the token endpoint's, committed before the redirect carries them.
 */
function recordFrontChannelToken(
  ctx: FlowContext,
  request: AuthorizationRequest,
  subject: string,
  origin: RequestOrigin,
  tokenKind: 'access_token' | 'id_token',
  tokenId?: string,
  api?: string,
): Promise<void> {
  return ctx.audit.recordDurably({
    type: 'token.issued',
    outcome: 'success',
    actor: { type: 'client', id: request.clientId },
    subject,
    clientId: request.clientId,
    ...(api !== undefined ? { api } : {}),
    scopes: request.scopes,
    tokenKind,
    ...(tokenId !== undefined ? { tokenId } : {}),
    ...origin,
    details: { responseType: request.responseType },
  });
}
