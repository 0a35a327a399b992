/**
 * The authorization endpoint's checks, in order, on one screen. Each step reads the
 * raw parameters and fills in the request; the first failure stops the pipeline.
 * Before `checkResponseType` a failure is shown as a page (the redirect URI is not
 * trusted yet); from there on it goes back to the client.
 */
import type { Catalog } from '../catalog.js';
import type { OwnJwtVerifier } from '../keys/verify-own-jwt.js';
import type { AuthorizationRequest, AuthorizeState } from './authorization-request.js';
import { checkClient } from './check-client.js';
import { checkDpopJkt } from './check-dpop-jkt.js';
import { checkPkce } from './check-pkce.js';
import { checkPushedRequired } from './check-pushed-required.js';
import { checkPrompt } from './check-prompt.js';
import { checkRedirectUri } from './check-redirect-uri.js';
import { checkResponseType } from './check-response-type.js';
import { checkSandbox } from './check-sandbox.js';
import { checkScope } from './check-scope.js';
import type { PushedRequests } from './pushed-requests.js';
import { rejectUnsupportedParameters } from './reject-unsupported.js';
import type { RequestObjectVerifier } from './request-objects.js';
import { resolveRequestObject } from './resolve-request-object.js';
import { resolveRequestUri } from './resolve-request-uri.js';

export interface AuthorizeDependencies {
  catalog: Catalog;
  jwts: OwnJwtVerifier;
  issuer: string;
  pushed: PushedRequests;
  requestObjects: RequestObjectVerifier;
}

type Step = (state: AuthorizeState, deps: AuthorizeDependencies) => void | Promise<void>;

export const AUTHORIZE_STEPS: readonly Step[] = [
  (state, deps) => resolveRequestUri(state, deps.pushed),
  (state, deps) => checkClient(state, deps.catalog),
  (state, deps) => checkPushedRequired(state, deps.pushed.policy.required),
  (state, deps) => resolveRequestObject(state, deps.requestObjects),
  checkRedirectUri,
  checkResponseType,
  rejectUnsupportedParameters,
  checkPkce,
  checkDpopJkt,
  (state, deps) => checkScope(state, deps.catalog),
  (state, deps) => checkPrompt(state, deps.jwts, deps.issuer),
  checkSandbox,
];

export async function validateAuthorizationRequest(state: AuthorizeState, deps: AuthorizeDependencies): Promise<AuthorizationRequest> {
  for (const step of AUTHORIZE_STEPS) await step(state, deps);
  return state.request as AuthorizationRequest;
}
