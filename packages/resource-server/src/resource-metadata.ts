/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728): the document an API publishes at
 * /.well-known/oauth-protected-resource so a client that only knows the API's URL
 * finds its authorization server (MCP clients start here). Built once from the options;
 * the adapters serve it with `answerMetadataRequest`, and the authenticator names its
 * URL in every challenge (`resource_metadata`, RFC 9728 §5.1).
 */

export const WELL_KNOWN_PATH = '/.well-known/oauth-protected-resource';

export interface ProtectedResourceOptions {
  /** The resource identifier (RFC 9728 §1.2): an https URL without fragment. Default: `audience`, which must then be one. */
  resource?: string;
  /** Issuers whose tokens this API takes. Default: `[issuer]`. */
  authorizationServers?: string[];
  /** Scopes a client may ask for this API (`scopes_supported`). */
  scopesSupported?: string[];
  /** How the token may be sent. Default `['header']`: the SDK reads only the Authorization header. */
  bearerMethodsSupported?: ('header' | 'body' | 'query')[];
  /** Human-readable name (`resource_name`). */
  resourceName?: string;
  /** Developer documentation URL (`resource_documentation`). */
  resourceDocumentation?: string;
  resourcePolicyUri?: string;
  resourceTosUri?: string;
  /** Add `resource_metadata="…"` to the WWW-Authenticate challenges. Default true. */
  challenge?: boolean;
  /** Further members, e.g. `dpop_bound_access_tokens_required`; they cannot replace the ones above. */
  extra?: Record<string, unknown>;
  /** Seconds clients and proxies may cache the document. Default 300. */
  cacheSeconds?: number;
}

export interface ResourceMetadata {
  /** The document, as served. */
  readonly document: Readonly<Record<string, unknown>>;
  /** Where it is served (RFC 9728 §3.1: the well-known segment between host and path). */
  readonly url: string;
  /** The paths the adapters answer: the path-suffixed form and, for a resource with a path, the bare form too. */
  readonly paths: readonly string[];
  /** Whether challenges name `url`. */
  readonly challenge: boolean;
  readonly cacheSeconds: number;
}

const KNOWN = new Set([
  'resource',
  'authorizationServers',
  'scopesSupported',
  'bearerMethodsSupported',
  'resourceName',
  'resourceDocumentation',
  'resourcePolicyUri',
  'resourceTosUri',
  'challenge',
  'extra',
  'cacheSeconds',
]);

function fail(message: string): never {
  throw new TypeError(`createAuthenticator: protectedResource.${message}`);
}

function url(value: unknown, name: string): string {
  if (typeof value !== 'string' || !URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) fail(`${name} must be an absolute http(s) URL`);
  return value;
}

function strings(value: unknown, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((s) => typeof s !== 'string' || s.length === 0)) fail(`${name} must be a list of non-empty strings`);
  return [...value];
}

/** RFC 9728 §3.1: https://api.example.com/mcp → https://api.example.com/.well-known/oauth-protected-resource/mcp */
export function metadataUrlFor(resource: string): string {
  const u = new URL(resource);
  const path = u.pathname === '/' ? '' : u.pathname;
  return `${u.origin}${WELL_KNOWN_PATH}${path}${u.search}`;
}

export function resolveResourceMetadata(value: unknown, issuer: string, audience: string): ResourceMetadata | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) fail('must be an object');
  const o = value as ProtectedResourceOptions;
  for (const key of Object.keys(o)) if (!KNOWN.has(key)) fail(`${key} is not an option`);
  const resource = url(o.resource ?? audience, o.resource === undefined ? 'resource (defaulting to audience)' : 'resource');
  if (new URL(resource).hash !== '' || resource.includes('#')) fail('resource must not have a fragment (RFC 9728 §1.2)');
  const bearerMethods = strings(o.bearerMethodsSupported, 'bearerMethodsSupported') ?? ['header'];
  if (bearerMethods.some((m) => !['header', 'body', 'query'].includes(m))) fail('bearerMethodsSupported takes header, body and query');
  if (o.challenge !== undefined && typeof o.challenge !== 'boolean') fail('challenge must be a boolean');
  if (o.extra !== undefined && (typeof o.extra !== 'object' || o.extra === null || Array.isArray(o.extra))) fail('extra must be an object');
  const cacheSeconds = o.cacheSeconds ?? 300;
  if (typeof cacheSeconds !== 'number' || !Number.isInteger(cacheSeconds) || cacheSeconds < 0 || cacheSeconds > 86_400)
    fail('cacheSeconds must be an integer from 0 to 86400');
  const optional = (name: string, v: unknown, check: (v: unknown, n: string) => unknown) => (v === undefined ? {} : { [name]: check(v, name) });
  const nonEmpty = (v: unknown, n: string) => (typeof v === 'string' && v.length > 0 ? v : fail(`${n} must be a non-empty string`));
  const document: Record<string, unknown> = {
    ...(o.extra ?? {}),
    resource,
    authorization_servers: (strings(o.authorizationServers, 'authorizationServers') ?? [issuer]).map((s) => url(s, 'authorizationServers')),
    bearer_methods_supported: bearerMethods,
    ...optional('scopes_supported', o.scopesSupported, (v) => strings(v, 'scopesSupported')),
    ...optional('resource_name', o.resourceName, nonEmpty),
    ...optional('resource_documentation', o.resourceDocumentation, url),
    ...optional('resource_policy_uri', o.resourcePolicyUri, url),
    ...optional('resource_tos_uri', o.resourceTosUri, url),
  };
  const metadataUrl = metadataUrlFor(resource);
  const path = new URL(metadataUrl).pathname;
  return {
    document: Object.freeze(document),
    url: metadataUrl,
    paths: path === WELL_KNOWN_PATH ? [path] : [path, WELL_KNOWN_PATH],
    challenge: o.challenge ?? true,
    cacheSeconds,
  };
}

export interface MetadataResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, OPTIONS',
  'access-control-allow-headers': 'Authorization, Content-Type, MCP-Protocol-Version',
};

/**
 * The answer to a request for the document, or undefined when the request is for
 * something else (the adapter passes it on). `path` is without the query.
 * Browser clients of other origins may read it (CORS), as they may the issuer's discovery.
 */
export function answerMetadataRequest(metadata: ResourceMetadata | undefined, method: string, path: string): MetadataResponse | undefined {
  if (!metadata || !metadata.paths.includes(path)) return undefined;
  if (method === 'OPTIONS') return { status: 204, headers: { ...CORS }, body: '' };
  if (method !== 'GET' && method !== 'HEAD') return { status: 405, headers: { allow: 'GET, HEAD, OPTIONS' }, body: '' };
  const cache = metadata.cacheSeconds > 0 ? `public, max-age=${metadata.cacheSeconds}` : 'no-store';
  return { status: 200, headers: { 'content-type': 'application/json', 'cache-control': cache, ...CORS }, body: JSON.stringify(metadata.document) };
}
