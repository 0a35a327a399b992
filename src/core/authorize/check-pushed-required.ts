/** A client (or the whole server) may demand that authorization requests come through /par (RFC 9126 §6). */
import { invalidRequest } from '../errors.js';
import type { AuthorizeState } from './authorization-request.js';

export function checkPushedRequired(state: AuthorizeState, requiredEverywhere: boolean): void {
  if (state.pushed) return;
  if (requiredEverywhere || state.client!.requirePushedAuthorizationRequests) {
    throw invalidRequest('this client must push its authorization requests to the pushed_authorization_request_endpoint');
  }
}
