/**
 * The client must exist (stored, or described by a metadata document at its client_id
 * URL). Until it and its redirect URI are known, errors are shown as a page.
 */
import type { Catalog } from '../catalog.js';
import { invalidRequest, OAuthError } from '../errors.js';
import type { AuthorizeState } from './authorization-request.js';

export async function checkClient(state: AuthorizeState, catalog: Catalog): Promise<void> {
  const clientId = state.params.get('client_id');
  if (clientId === undefined) throw invalidRequest('missing required parameter client_id');
  const resolution = await catalog.resolveClient(clientId);
  if ('error' in resolution) throw new OAuthError('invalid_client', 400, resolution.error);
  const { client } = resolution;
  state.client = client;
  state.request.clientId = clientId;
}
