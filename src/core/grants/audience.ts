/**
 * Chooses the API a token is for (RFC 8707 `resource`, or Auth0-style `audience`,
 * defaulting to the client's own API) and the scopes granted on it.
 */
import type { Catalog } from '../catalog.js';
import { invalidRequest, invalidScope, invalidTarget } from '../errors.js';
import type { Api, Client } from '../model.js';
import type { Params } from '../request.js';

export async function resolveApi(catalog: Catalog, client: Client, params: Params): Promise<Api> {
  const resources = [...params.getAll('resource'), ...params.getAll('audience')];
  const distinct = [...new Set(resources)];
  if (distinct.length > 1) throw invalidTarget('request a token for one API at a time');
  const identifier = distinct[0] ?? client.api;
  if (identifier === undefined) {
    throw invalidTarget('no resource given and the client is registered to no API');
  }
  if (params.getAll('resource').length > 0) checkResourceUri(client, identifier);
  const api = await catalog.api(identifier);
  if (!api) throw invalidTarget(`unknown resource ${identifier}`);
  return api;
}

/**
 * Resource identifiers already found to be absolute URIs without a fragment (RFC 8707
 * §2), per client object: a machine client asks for the same API on every request, and
 * parsing it as a URL each time showed in the token path's profile. Only identifiers the
 * client holds permissions on are kept, so the memo is as small as its configuration,
 * and it goes with the client object when the catalog reloads it.
 */
const checkedResources = new WeakMap<Client, Set<string>>();

function checkResourceUri(client: Client, identifier: string): void {
  const checked = checkedResources.get(client);
  if (checked?.has(identifier)) return;
  let url: URL | undefined;
  try {
    url = new URL(identifier);
  } catch {
    throw invalidTarget('resource must be an absolute URI');
  }
  if (url.hash) throw invalidTarget('resource must not contain a fragment');
  if (!Object.hasOwn(client.permissions, identifier)) return;
  if (checked) checked.add(identifier);
  else checkedResources.set(client, new Set([identifier]));
}

/**
 * Scopes requested must all be granted to the client on this API; no `scope`
 * means everything it is granted there.
 */
export function grantedScopes(api: Api, allowed: readonly string[], requested: string | undefined): string[] {
  if (requested === undefined) return [...allowed];
  if (!/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/.test(requested)) {
    throw invalidRequest('scope must be space-separated printable ASCII');
  }
  const scopes = [...new Set(requested.split(' '))];
  const refused = scopes.filter((s) => !allowed.includes(s) || !api.scopes.some((d) => d.name === s));
  if (refused.length > 0) throw invalidScope(`not granted on ${api.identifier}: ${refused.join(' ')}`);
  return scopes;
}
