/**
 * POST /device_authorization (RFC 8628 §3.1-3.2): a device asks for access. The
 * client authenticates as at the token endpoint (a public client sends its
 * client_id) and must be allowed the device_code grant; scope and resource are
 * checked as at the authorization endpoint. The answer is a device code for the
 * device to poll with, and a user code for the person to type at verification_uri.
 * Public clients are throttled per client and address (device/device-authorization-throttle.ts).
 * Every request a client made is audited (`device.requested`): granted, or refused
 * and why (not allowed the grant, a bad scope or API, throttled); a client that fails
 * to authenticate is audited by the authenticator (`client.authentication_failed`).
 */
import type { AuditLog } from '../audit/audit-log.js';
import { requestOrigin } from '../audit/request-origin.js';
import type { AuthorizeState } from '../authorize/authorization-request.js';
import { checkScope } from '../authorize/check-scope.js';
import type { Catalog } from '../catalog.js';
import type { ClientAuthenticator } from '../client-auth/authenticate-client.js';
import type { Clock } from '../clock.js';
import { mintTokenString, TOKEN_PREFIXES } from '../crypto/token-string.js';
import type { SecretHasher } from '../crypto/secret-hasher.js';
import type { DeviceAuthorizationThrottle } from '../device/device-authorization-throttle.js';
import { DEVICE_CODE_GRANT, type DevicePolicy } from '../device/device-policy.js';
import { mintUserCode, normalizeUserCode } from '../device/user-code.js';
import { OAuthError, serverError, unauthorizedClient } from '../errors.js';
import type { Client } from '../model.js';
import type { DeviceAuthorization } from '../ports/device-authorizations.js';
import type { Store } from '../ports/storage.js';
import type { EngineRequest, EngineResponse } from '../request.js';

export interface DeviceAuthorizationContext {
  issuer: string;
  catalog: Catalog;
  store: Pick<Store, 'deviceAuthorizations'>;
  hasher: SecretHasher;
  clock: Clock;
  policy: DevicePolicy;
  throttle: DeviceAuthorizationThrottle;
  audit: AuditLog;
}

/** Draws that may meet a user code already in use before giving up (each is a 1 in 2.5e10 chance per live code). */
const USER_CODE_DRAWS = 5;

export const verificationUri = (issuer: string) => `${issuer}/device`;

export function deviceAuthorizationEndpoint(clientAuth: ClientAuthenticator, ctx: DeviceAuthorizationContext) {
  return async function handleDeviceAuthorizationRequest(request: EngineRequest): Promise<EngineResponse> {
    const client = await clientAuth.authenticate(request);
    const event = { type: 'device.requested', actor: { type: 'client', id: client.clientId }, clientId: client.clientId, ...requestOrigin(request) } as const;
    try {
      const { response, scopes, api } = await grant(client, request);
      ctx.audit.record({ ...event, outcome: 'success', scopes, ...(api !== undefined ? { api } : {}) });
      return response;
    } catch (error) {
      if (error instanceof OAuthError) ctx.audit.record({ ...event, outcome: 'failure', reason: `${error.error}: ${error.description}` });
      throw error;
    }
  };

  async function grant(client: Client, request: EngineRequest): Promise<{ response: EngineResponse; scopes: string[]; api: string | undefined }> {
    if (!client.grantTypes.includes(DEVICE_CODE_GRANT)) throw unauthorizedClient(`client is not allowed to use grant_type ${DEVICE_CODE_GRANT}`);
    const state: AuthorizeState = { params: request.params, client, request: { clientId: client.clientId, responseType: 'none' } };
    await checkScope(state, ctx.catalog);
    if (client.type === 'public') await ctx.throttle.admit(client.clientId, request.ip);
    const now = ctx.clock.now();
    const deviceCode = mintTokenString(TOKEN_PREFIXES.device_code);
    const scopes = state.request.scopes ?? [];
    for (let draw = 0; draw < USER_CODE_DRAWS; draw++) {
      const userCode = mintUserCode();
      const authorization: DeviceAuthorization = {
        deviceCodeHash: ctx.hasher.hash(deviceCode),
        userCodeHash: ctx.hasher.hash(normalizeUserCode(userCode)!),
        clientId: client.clientId,
        scopes,
        status: 'pending',
        createdAt: now,
        expiresAt: now + ctx.policy.codeTtl,
        interval: ctx.policy.interval,
      };
      if (state.request.api !== undefined) authorization.api = state.request.api;
      if (!(await ctx.store.deviceAuthorizations.insertDeviceAuthorization(authorization))) continue;
      const uri = verificationUri(ctx.issuer);
      const response: EngineResponse = {
        status: 200,
        body: {
          device_code: deviceCode,
          user_code: userCode,
          verification_uri: uri,
          verification_uri_complete: `${uri}?${new URLSearchParams({ user_code: userCode })}`,
          expires_in: ctx.policy.codeTtl,
          interval: ctx.policy.interval,
        },
      };
      return { response, scopes, api: state.request.api };
    }
    throw serverError();
  }
}
