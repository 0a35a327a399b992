/**
 * Scopes and the target API. The API comes from `resource` (RFC 8707) or `audience`,
 * else the client's own API. A client may ask users for any scope of the API it is
 * registered to, and for the scopes listed for it on other APIs. Unknown scopes are
 * ignored (OpenID Connect Core §3.1.2.1); the granted set is reported with the token.
 * This is what the client may ask; once the user is known, it is narrowed further to
 * what the user's roles allow (credentials/delegation.ts), for every kind of client.
 */
import type { Catalog } from '../catalog.js';
import { invalidRequest, invalidTarget } from '../errors.js';
import type { Api, Client } from '../model.js';
import { hasResponseType, OIDC_SCOPES, type AuthorizeState } from './authorization-request.js';

const SCOPE_SYNTAX = /^[\x21\x23-\x5b\x5d-\x7e]+( +[\x21\x23-\x5b\x5d-\x7e]+)*$/;

/** The scopes a client may request from users on an API. */
export function delegableScopes(client: Client, api: Api): string[] {
  if (api.identifier === client.api) return api.scopes.map((s) => s.name);
  const listed = client.permissions[api.identifier] ?? [];
  return listed.filter((s) => api.scopes.some((d) => d.name === s));
}

export async function checkScope(state: AuthorizeState, catalog: Catalog): Promise<void> {
  const client = state.client!;
  const { params } = state;
  const raw = params.get('scope');
  if (raw !== undefined && !SCOPE_SYNTAX.test(raw.trim())) throw invalidRequest('scope must be space-separated printable ASCII');
  const requested = [...new Set((raw ?? '').trim().split(/ +/).filter(Boolean))];

  const resources = [...new Set([...params.getAll('resource'), ...params.getAll('audience')])];
  if (resources.length > 1) throw invalidTarget('request one API at a time');
  const identifier = resources[0] ?? client.api;
  let api: Api | undefined;
  if (identifier !== undefined) {
    api = await catalog.api(identifier);
    if (!api) throw invalidTarget(`unknown resource ${identifier}`);
    if (identifier !== client.api && !client.permissions[identifier]) {
      throw invalidTarget(`client is not allowed to request access to ${identifier}`);
    }
  }
  const apiScopes = api ? delegableScopes(client, api) : [];
  const scopes = requested.filter((s) => (OIDC_SCOPES as readonly string[]).includes(s) || apiScopes.includes(s));

  const request = state.request as { responseType: string };
  if (hasResponseType(request, 'id_token')) {
    if (!scopes.includes('openid')) throw invalidRequest('response_type id_token requires the openid scope');
    if (!params.has('nonce')) throw invalidRequest('nonce is required when an ID token is returned from the authorization endpoint');
  }
  state.api = api;
  state.request.scopes = scopes;
  if (api) state.request.api = api.identifier;
  const nonce = params.get('nonce');
  if (nonce !== undefined) state.request.nonce = nonce;
  const stateParam = params.get('state');
  if (stateParam !== undefined) state.request.state = stateParam;
}
