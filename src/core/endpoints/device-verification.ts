/**
 * The verification page of the device flow (RFC 8628 §3.3):
 *   GET  /device    a form for the user code, pre-filled from ?user_code= (verification_uri_complete);
 *                   the user still presses Continue, so a link alone approves nothing (§5.4)
 *   POST /device    checks the code, then continues as a pending authorization on the
 *                   usual sign-in and consent pages (endpoints/interaction.ts)
 * Wrong codes are throttled per address and audited; the form carries a CSRF token
 * bound to the browser cookie.
 */
import { randomBytes } from 'node:crypto';
import { requestOrigin } from '../audit/request-origin.js';
import type { AuthorizationRequest } from '../authorize/authorization-request.js';
import { constantTimeEqual } from '../crypto/constant-time.js';
import { normalizeUserCode } from '../device/user-code.js';
import type { UserCodeThrottle } from '../device/user-code-throttle.js';
import type { FlowContext } from '../interaction/flow-context.js';
import { BROWSER_COOKIE } from '../interaction/pending-authorizations.js';
import type { DeviceAuthorization } from '../ports/device-authorizations.js';
import { predatesClient } from '../tokens/client-revocation.js';
import type { EngineRequest, EngineResponse } from '../request.js';

/** What the sign-in and consent pages work from: the device's request, with consent always asked. */
function asAuthorizationRequest(device: DeviceAuthorization): AuthorizationRequest {
  return {
    clientId: device.clientId,
    redirectUri: '',
    redirectUriGiven: false,
    responseType: 'none',
    responseMode: 'query',
    scopes: device.scopes,
    ...(device.api !== undefined ? { api: device.api } : {}),
    prompt: ['consent'],
  };
}

export function deviceVerificationEndpoint(ctx: FlowContext, throttle: UserCodeThrottle) {
  const action = `${ctx.issuer}/device`;
  const csrfFor = (browser: string) => ctx.hasher.hash(`device-form:${browser}`);
  const validBrowser = (cookie: string | undefined) => (cookie && /^[\w-]{43}$/.test(cookie) ? cookie : undefined);

  function show(request: EngineRequest): EngineResponse {
    const existing = validBrowser(request.cookies?.[BROWSER_COOKIE]);
    const browser = existing ?? randomBytes(32).toString('base64url');
    const typed = request.params.get('user_code');
    const response = ctx.views.deviceCode({ action, csrf: csrfFor(browser), ...(typed ? { userCode: typed.slice(0, 20) } : {}) });
    if (!existing) response.setCookies = [...(response.setCookies ?? []), { name: BROWSER_COOKIE, value: browser }];
    return response;
  }

  async function submit(request: EngineRequest): Promise<EngineResponse> {
    const browser = validBrowser(request.cookies?.[BROWSER_COOKIE]);
    if (!browser || !constantTimeEqual(request.params.get('csrf'), csrfFor(browser))) {
      return ctx.views.error('Request refused', 'The form was not sent from this page (CSRF check failed). Go back and try again.', 403);
    }
    const typed = (request.params.get('user_code') ?? '').slice(0, 20);
    const ip = request.ip ?? 'unknown';
    const origin = requestOrigin(request);
    const again = (error: string, status: number) => ctx.views.deviceCode({ action, csrf: csrfFor(browser), userCode: typed, error, status });
    const wait = await throttle.waitFor(ip);
    if (wait > 0) {
      ctx.audit.record({ type: 'device.code_entered', outcome: 'failure', reason: 'throttled', ...origin });
      return again(`Too many wrong codes. Try again in ${wait} second${wait === 1 ? '' : 's'}.`, 429);
    }
    const code = normalizeUserCode(typed);
    const userCodeHash = code ? ctx.hasher.hash(code) : undefined;
    const device = userCodeHash ? await ctx.store.deviceAuthorizations.findDeviceAuthorizationByUserCode(userCodeHash, ctx.clock.now()) : undefined;
    const found = device?.status === 'pending' ? await ctx.catalog.client(device.clientId) : undefined;
    // A client deleted since the device asked (and perhaps re-created under its id) does not inherit the request.
    const client = found && device && !predatesClient(found, device.createdAt) ? found : undefined;
    if (!device || !client || !userCodeHash) {
      await throttle.recordFailure(ip);
      const reason = !device ? 'unknown_code' : device.status !== 'pending' ? 'code_already_used' : 'client_deleted';
      ctx.audit.record({ type: 'device.code_entered', outcome: 'failure', reason, ...(device ? { clientId: device.clientId } : {}), ...origin });
      return again('That code is not valid. Check the code on your device and try again; codes run out after a few minutes.', 400);
    }
    ctx.audit.record({ type: 'device.code_entered', outcome: 'success', clientId: client.clientId, scopes: device.scopes, ...origin });
    const { pending } = await ctx.pending.start(asAuthorizationRequest(device), browser, { userCodeHash });
    return { status: 303, headers: { Location: `${ctx.issuer}/interaction/${pending.id}`, 'Cache-Control': 'no-store' } };
  }

  return async function handleDeviceVerification(request: EngineRequest): Promise<EngineResponse> {
    return request.method === 'POST' ? submit(request) : show(request);
  };
}
