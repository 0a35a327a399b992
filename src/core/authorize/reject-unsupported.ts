/** Request objects and dynamic registration by parameter are not supported: say so (OIDC Core §3.1.2.6). request_uri is resolve-request-uri.ts'. */
import { authorizationError } from '../errors.js';
import type { AuthorizeState } from './authorization-request.js';

export function rejectUnsupportedParameters(state: AuthorizeState): void {
  const { params } = state;
  if (params.has('request')) throw authorizationError('request_not_supported', 'request objects are not supported');
  if (params.has('registration')) throw authorizationError('registration_not_supported', 'registration is not supported');
}
