/**
 * POST /introspect (RFC 7662). The caller authenticates as a client. A client sees
 * its own tokens; a client registered with `introspection: any` (a resource server)
 * sees every token. Anything else is simply `{ "active": false }`.
 */
import type { AuditLog } from '../audit/audit-log.js';
import { authenticationClaims } from '../tokens/access-token-issuer.js';
import { requestOrigin } from '../audit/request-origin.js';
import { presentedClientId, type ClientAuthenticator } from '../client-auth/authenticate-client.js';
import { invalidClient, OAuthError } from '../errors.js';
import type { EngineRequest, EngineResponse } from '../request.js';
import { NEVER } from '../model.js';
import type { ActiveToken, TokenInspector } from '../tokens/token-inspector.js';

export function introspectionEndpoint(issuer: string, clientAuth: ClientAuthenticator, inspector: TokenInspector, audit: AuditLog) {
  /** A refused introspection request (bad client, public client, no token) is audited; an answer is not. */
  async function authorizeCaller(request: EngineRequest) {
    try {
      const client = await clientAuth.authenticate(request);
      if (client.type === 'public') throw invalidClient('public clients cannot introspect tokens');
      request.params.require('token');
      return client;
    } catch (error) {
      if (error instanceof OAuthError) {
        const clientId = presentedClientId(request);
        audit.record({
          type: 'token.introspection_failed',
          outcome: 'failure',
          ...(clientId !== undefined ? { clientId } : {}),
          reason: `${error.error}: ${error.description}`,
          ...requestOrigin(request),
        });
      }
      throw error;
    }
  }

  return async function handleIntrospection(request: EngineRequest): Promise<EngineResponse> {
    const client = await authorizeCaller(request);
    const token = request.params.require('token');
    request.params.get('token_type_hint'); // a hint only; read so a repeated one is refused
    const active = await inspector.inspect(token);
    if (!active || (client.introspection !== 'any' && active.clientId !== client.clientId)) {
      return { status: 200, body: { active: false } };
    }
    return { status: 200, body: describeActiveToken(issuer, active) };
  };
}

/** RFC 7662 `token_type`: the scheme the token is sent under (user and action tokens have their own). */
const TOKEN_TYPE_OF_KIND: Partial<Record<ActiveToken['kind'], string>> = { user_token: 'Token', action_token: 'ActionToken' };

/** The RFC 7662 response for an active token, with Tessera's fields for every kind. */
export function describeActiveToken(issuer: string, active: ActiveToken): Record<string, unknown> {
  const body: Record<string, unknown> = {
    active: true,
    token_type: TOKEN_TYPE_OF_KIND[active.kind] ?? 'Bearer',
    token_kind: active.kind,
    format: active.format,
    iss: issuer,
    sub: active.subject,
    scope: active.scope,
    iat: active.issuedAt,
    jti: active.jti,
  };
  if (active.audience) body.aud = active.audience;
  if (active.clientId) body.client_id = active.clientId;
  if (active.expiresAt !== NEVER) body.exp = active.expiresAt;
  if (active.username !== undefined) body.username = active.username;
  if (active.serviceAccount !== undefined) body.service_account = active.serviceAccount;
  if (active.sandbox) body.sandbox = true;
  if (active.allowedEndpoints) body.allowed_endpoints = active.allowedEndpoints;
  if (active.permissions) body.permissions = active.permissions;
  if (active.authentication) Object.assign(body, authenticationClaims(active.authentication));
  // Mapped claims come last and never replace a field the response already has.
  for (const [name, value] of Object.entries(active.claims ?? {})) if (!Object.hasOwn(body, name)) body[name] = value;
  return body;
}
