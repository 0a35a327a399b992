/**
 * request (RFC 9101 §5): once the client is known, a signed request object replaces
 * the outer parameters. Until it is verified its redirect_uri is not trusted, so a
 * bad object is shown as a page, never redirected.
 */
import { Params } from '../request.js';
import type { AuthorizeState } from './authorization-request.js';
import type { RequestObjectVerifier } from './request-objects.js';

export async function resolveRequestObject(state: AuthorizeState, verifier: RequestObjectVerifier): Promise<void> {
  const requestObject = state.params.get('request');
  if (requestObject === undefined) return;
  state.params = new Params(await verifier.parameters(state.client!, requestObject));
}
