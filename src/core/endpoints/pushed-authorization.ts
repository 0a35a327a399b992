/**
 * POST /par: pushed authorization requests (RFC 9126). The client authenticates as at
 * the token endpoint, its request is checked exactly as /authorize would check it,
 * with errors answered as RFC 6749 JSON, and it gets back a short-lived, single-use
 * request_uri to send the browser to /authorize with. A DPoP proof sent with the push
 * binds the code to its key, as `dpop_jkt` would (RFC 9449 §10.1).
 */
import { validateAuthorizationRequest } from '../authorize/index.js';
import type { AuthorizeState } from '../authorize/authorization-request.js';
import type { ClientAuthenticator } from '../client-auth/authenticate-client.js';
import type { DpopService } from '../dpop/dpop-service.js';
import { invalidDpopProof } from '../dpop/proof.js';
import { invalidRequest } from '../errors.js';
import type { FlowContext } from '../interaction/flow-context.js';
import { Params, type EngineRequest, type EngineResponse } from '../request.js';

/** Parameters that authenticate the client at this endpoint: not part of the authorization request. */
const CLIENT_AUTH_PARAMS = new Set(['client_secret', 'client_assertion', 'client_assertion_type']);

export function pushedAuthorizationEndpoint(ctx: FlowContext, clientAuth: ClientAuthenticator, dpop: DpopService) {
  return async function handlePushedAuthorizationRequest(request: EngineRequest): Promise<EngineResponse> {
    const client = await clientAuth.authenticate(request);
    const now = ctx.clock.now();
    const proof = await dpop.check(request, now);
    const claimed = request.params.get('client_id');
    if (claimed !== undefined && claimed !== client.clientId) throw invalidRequest('client_id does not match the authenticated client');
    const entries = request.params.entries().filter(([name]) => !CLIENT_AUTH_PARAMS.has(name) && name !== 'client_id');
    entries.push(['client_id', client.clientId]);
    const state: AuthorizeState = { params: new Params(entries), request: {}, pushed: true };
    await validateAuthorizationRequest(state, authorizeDependencies(ctx));
    // Checked once the request object (if any) is resolved: its dpop_jkt counts too.
    const pushed = state.params.entries();
    if (proof) {
      const named = state.params.get('dpop_jkt');
      if (named !== undefined && named !== proof.jkt) throw invalidDpopProof('dpop_jkt names another key than the DPoP proof');
      if (named === undefined) pushed.push(['dpop_jkt', proof.jkt]);
    }
    const { requestUri, expiresIn } = await ctx.pushedRequests.push(client.clientId, pushed);
    return { status: 201, headers: { 'Cache-Control': 'no-store', ...dpop.responseHeaders(now) }, body: { request_uri: requestUri, expires_in: expiresIn } };
  };
}

export function authorizeDependencies(ctx: FlowContext) {
  return { catalog: ctx.catalog, jwts: ctx.jwts, issuer: ctx.issuer, pushed: ctx.pushedRequests, requestObjects: ctx.requestObjects };
}
