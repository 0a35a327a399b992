/**
 * request_uri (RFC 9126 §4): the parameters come from the request the client pushed,
 * and only from there; the outer request names the client and the reference. A
 * request_uri by reference to a client's own URL (RFC 9101 §5.2) is not fetched.
 */
import { invalidRequest } from '../errors.js';
import { Params } from '../request.js';
import type { AuthorizeState } from './authorization-request.js';
import type { PushedRequests } from './pushed-requests.js';

export async function resolveRequestUri(state: AuthorizeState, pushed: PushedRequests): Promise<void> {
  const requestUri = state.params.get('request_uri');
  if (requestUri === undefined) return;
  if (state.pushed) throw invalidRequest('request_uri must not be sent to the pushed authorization request endpoint');
  const clientId = state.params.get('client_id');
  if (clientId === undefined) throw invalidRequest('missing required parameter client_id');
  const params = await pushed.take(clientId, requestUri);
  state.params = new Params(params);
  state.pushed = true;
}
