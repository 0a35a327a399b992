/** The client must exist. Until it and its redirect URI are known, errors are shown as a page. */
import type { Catalog } from '../catalog.js';
import { invalidRequest, OAuthError } from '../errors.js';
import type { AuthorizeState } from './authorization-request.js';

export async function checkClient(state: AuthorizeState, catalog: Catalog): Promise<void> {
  const clientId = state.params.get('client_id');
  if (clientId === undefined) throw invalidRequest('missing required parameter client_id');
  const client = await catalog.client(clientId);
  if (!client) throw new OAuthError('invalid_client', 400, 'unknown client_id');
  state.client = client;
  state.request.clientId = clientId;
}
