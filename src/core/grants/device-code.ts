/**
 * urn:ietf:params:oauth:grant-type:device_code (RFC 8628 §3.4-3.5): the device polls
 * with its device code until the user has approved or denied it on the verification
 * page. Each poll is recorded; one sooner than the interval is answered slow_down and
 * raises the interval. Once approved, the tokens are those of the authorization-code
 * grant (user-tokens.ts), and the device code is used up: exactly one request wins.
 */
import { checkTokenString, TOKEN_PREFIXES } from '../crypto/token-string.js';
import { DEVICE_CODE_GRANT, SLOW_DOWN_STEP } from '../device/device-policy.js';
import { predatesClient } from '../tokens/client-revocation.js';
import { accessDenied, authorizationPending, expiredToken, invalidGrant, slowDown } from '../errors.js';
import type { GrantHandler } from './grant.js';
import { issueUserTokens } from './user-tokens.js';

export const deviceCodeGrant: GrantHandler = {
  grantType: DEVICE_CODE_GRANT,
  parameters: ['device_code'],
  async handle(context, client, request) {
    const code = request.params.require('device_code');
    if (checkTokenString(code) !== TOKEN_PREFIXES.device_code) throw invalidGrant('the device code is invalid');
    const now = context.clock.now();
    const hash = context.hasher.hash(code);
    const devices = context.store.deviceAuthorizations;
    const polled = await devices.pollDeviceAuthorization(hash, now, SLOW_DOWN_STEP);
    if (!polled || polled.authorization.clientId !== client.clientId) throw invalidGrant('the device code is invalid or has already been used');
    const { authorization, tooFast } = polled;
    // Asked for by a deleted client of the same id (tokens/client-revocation.ts).
    if (predatesClient(client, authorization.createdAt)) throw invalidGrant('the device code was issued to a client that has since been deleted');
    if (authorization.expiresAt <= now) throw expiredToken();
    if (authorization.status === 'denied') {
      await devices.deleteDeviceAuthorization(hash);
      throw accessDenied('the user denied the request');
    }
    if (authorization.status === 'pending') throw tooFast ? slowDown(authorization.interval + SLOW_DOWN_STEP) : authorizationPending();
    const approval = authorization.approval!;
    if (!(await devices.consumeDeviceAuthorization(hash))) throw invalidGrant('the device code has already been used');
    const user = await context.store.getUser(approval.userId);
    if (!user || !user.active) throw invalidGrant('the user is no longer active');
    const issued = await issueUserTokens(context, {
      client,
      user,
      scopes: approval.scopes,
      grantId: approval.grantId,
      authTime: approval.authTime,
      amr: approval.amr ?? [],
      sid: approval.sid,
      ...(authorization.api !== undefined ? { api: authorization.api } : {}),
    });
    return { body: issued.body, issued: issued.issued };
  },
};
