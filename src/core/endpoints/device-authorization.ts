/**
 * POST /device_authorization (RFC 8628 §3.1-3.2): a device asks for access. The
 * client authenticates as at the token endpoint (a public client sends its
 * client_id) and must be allowed the device_code grant; scope and resource are
 * checked as at the authorization endpoint. The answer is a device code for the
 * device to poll with, and a user code for the person to type at verification_uri.
 * Public clients are throttled per client and address (device/device-authorization-throttle.ts).
 */
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
import { serverError, unauthorizedClient } from '../errors.js';
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
}

/** Draws that may meet a user code already in use before giving up (each is a 1 in 2.5e10 chance per live code). */
const USER_CODE_DRAWS = 5;

export const verificationUri = (issuer: string) => `${issuer}/device`;

export function deviceAuthorizationEndpoint(clientAuth: ClientAuthenticator, ctx: DeviceAuthorizationContext) {
  return async function handleDeviceAuthorizationRequest(request: EngineRequest): Promise<EngineResponse> {
    const client = await clientAuth.authenticate(request);
    if (!client.grantTypes.includes(DEVICE_CODE_GRANT)) throw unauthorizedClient(`client is not allowed to use grant_type ${DEVICE_CODE_GRANT}`);
    const state: AuthorizeState = { params: request.params, client, request: { clientId: client.clientId, responseType: 'none' } };
    await checkScope(state, ctx.catalog);
    if (client.type === 'public') await ctx.throttle.admit(client.clientId, request.ip);
    const now = ctx.clock.now();
    const deviceCode = mintTokenString(TOKEN_PREFIXES.device_code);
    for (let draw = 0; draw < USER_CODE_DRAWS; draw++) {
      const userCode = mintUserCode();
      const authorization: DeviceAuthorization = {
        deviceCodeHash: ctx.hasher.hash(deviceCode),
        userCodeHash: ctx.hasher.hash(normalizeUserCode(userCode)!),
        clientId: client.clientId,
        scopes: state.request.scopes ?? [],
        status: 'pending',
        createdAt: now,
        expiresAt: now + ctx.policy.codeTtl,
        interval: ctx.policy.interval,
      };
      if (state.request.api !== undefined) authorization.api = state.request.api;
      if (!(await ctx.store.deviceAuthorizations.insertDeviceAuthorization(authorization))) continue;
      const uri = verificationUri(ctx.issuer);
      return {
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
    }
    throw serverError();
  };
}
