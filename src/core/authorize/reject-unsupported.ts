/** Dynamic registration by parameter is not supported: say so (OIDC Core §3.1.2.6). request and request_uri: resolve-request-*.ts. */
import { authorizationError } from '../errors.js';
import type { AuthorizeState } from './authorization-request.js';

export function rejectUnsupportedParameters(state: AuthorizeState): void {
  const { params } = state;
  if (params.has('registration')) throw authorizationError('registration_not_supported', 'registration is not supported');
}
