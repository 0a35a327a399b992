/**
 * POST /par: pushed authorization requests (RFC 9126). The client authenticates as at
 * the token endpoint, its request is checked exactly as /authorize would check it,
 * with errors answered as RFC 6749 JSON, and it gets back a short-lived, single-use
 * request_uri to send the browser to /authorize with.
 */
import { validateAuthorizationRequest } from '../authorize/index.js';
import type { AuthorizeState } from '../authorize/authorization-request.js';
import type { ClientAuthenticator } from '../client-auth/authenticate-client.js';
import { invalidRequest } from '../errors.js';
import type { FlowContext } from '../interaction/flow-context.js';
import { Params, type EngineRequest, type EngineResponse } from '../request.js';

/** Parameters that authenticate the client at this endpoint: not part of the authorization request. */
const CLIENT_AUTH_PARAMS = new Set(['client_secret', 'client_assertion', 'client_assertion_type']);

export function pushedAuthorizationEndpoint(ctx: FlowContext, clientAuth: ClientAuthenticator) {
  return async function handlePushedAuthorizationRequest(request: EngineRequest): Promise<EngineResponse> {
    const client = await clientAuth.authenticate(request);
    const claimed = request.params.get('client_id');
    if (claimed !== undefined && claimed !== client.clientId) throw invalidRequest('client_id does not match the authenticated client');
    const entries = request.params.entries().filter(([name]) => !CLIENT_AUTH_PARAMS.has(name) && name !== 'client_id');
    entries.push(['client_id', client.clientId]);
    const state: AuthorizeState = { params: new Params(entries), request: {}, pushed: true };
    await validateAuthorizationRequest(state, authorizeDependencies(ctx));
    const { requestUri, expiresIn } = await ctx.pushedRequests.push(client.clientId, state.params.entries());
    return { status: 201, headers: { 'Cache-Control': 'no-store' }, body: { request_uri: requestUri, expires_in: expiresIn } };
  };
}

export function authorizeDependencies(ctx: FlowContext) {
  return { catalog: ctx.catalog, jwts: ctx.jwts, issuer: ctx.issuer, pushed: ctx.pushedRequests, requestObjects: ctx.requestObjects };
}
