/**
 * The route table: which engine endpoint answers which path and methods. Paths are
 * relative to the issuer's path, so an issuer of https://example.com/auth serves its
 * token endpoint at /auth/token. `json` routes answer errors as RFC 6749 JSON; `page`
 * routes are for browsers and answer errors with a readable page.
 */
import { accountEndpoints } from '../core/account/account-endpoints.js';
import type { AuthorizationServer, EndpointHandler } from '../core/authorization-server.js';
import type { EngineResponse } from '../core/request.js';
import { PASSKEY_SCRIPT_PATH } from '../core/mfa/passkeys.js';
import { managementResourceMetadata } from '../management/management-api.js';
import { loadPasskeyScript, type StaticScript } from '../pages/passkey-script.js';
import { consoleRoutes } from './console-routes.js';
import { mailRoutes } from './mail-routes.js';
import type { HttpMetrics } from './metrics.js';

/** What the health and metrics routes need besides the engine. */
export interface ServerState {
  metrics: HttpMetrics;
  /** True once shutdown has begun: /readyz answers 503 so load balancers move on. */
  draining: boolean;
}

export interface Route {
  pattern: RegExp;
  methods: readonly ('GET' | 'POST' | 'PUT' | 'DELETE')[];
  kind: 'json' | 'page';
  /** Callable from browser scripts of other origins (token, userinfo, discovery...). */
  cors: boolean;
  /** Also takes an application/json body (handed to the engine as `json`, with an empty form). */
  acceptsJson?: boolean;
  /** Public caching for GET responses; 0 or absent means no-store. */
  cacheSeconds?: number;
  /** The path carries a secret (a mailed link's token): logged as the route's pattern. */
  secretPath?: boolean;
  handler: EndpointHandler;
}

const exact = (path: string) => new RegExp(`^${path.replace(/[.]/g, '\\.')}$`);

export function routeTable(server: AuthorizationServer, state: ServerState): Route[] {
  const discovery: EndpointHandler = async () => ({ status: 200, body: await server.discovery() });
  const managementMetadata: EndpointHandler = async () => ({ status: 200, body: managementResourceMetadata(server.issuer) });
  const jwks: EndpointHandler = async () => ({ status: 200, headers: { 'Content-Type': 'application/jwk-set+json' }, body: server.keys.jwks() });
  const health: EndpointHandler = async () => ({ status: 200, body: { status: 'ok' } });
  const ready: EndpointHandler = async (): Promise<EngineResponse> => {
    if (state.draining) return { status: 503, body: { status: 'shutting down' } };
    try {
      await server.store.ping();
      const schema = await server.store.schemaVersion();
      const keys = server.keys.jwks().keys.length > 0;
      // A newer schema is fine (migrations only add, so old instances keep serving during an upgrade); an older one is not.
      const ok = keys && schema.database >= schema.code;
      return { status: ok ? 200 : 503, body: { status: ok ? 'ready' : 'not ready', schema, keys } };
    } catch {
      return { status: 503, body: { status: 'not ready', store: 'unreachable' } };
    }
  };
  const metrics: EndpointHandler = async () => {
    const { contentType, body } = await state.metrics.render();
    return { status: 200, headers: { 'Content-Type': contentType }, text: body };
  };
  const e = server.endpoints;
  const registrationManagement: EndpointHandler = (request) =>
    request.method === 'GET' ? e.registration.read(request) : request.method === 'PUT' ? e.registration.update(request) : e.registration.remove(request);
  const account = accountEndpoints(server);
  let script: StaticScript | undefined;
  // Read on its first request; revalidated by ETag on every load (no-cache), like the console's files.
  const passkeyScript: EndpointHandler = async (request) => {
    script ??= loadPasskeyScript();
    const headers = { 'Cache-Control': 'no-cache', ETag: script.etag, 'X-Content-Type-Options': 'nosniff', 'Cross-Origin-Resource-Policy': 'same-origin' };
    if (request.headers['if-none-match'] === script.etag) return { status: 304, headers };
    return { status: 200, headers: { ...headers, 'Content-Type': 'text/javascript; charset=utf-8' }, text: script.body };
  };
  return [
    { pattern: exact('/token'), methods: ['POST'], kind: 'json', cors: true, handler: e.token },
    { pattern: exact('/device_authorization'), methods: ['POST'], kind: 'json', cors: true, handler: e.deviceAuthorization },
    { pattern: exact('/device'), methods: ['GET', 'POST'], kind: 'page', cors: false, handler: e.deviceVerification },
    { pattern: exact('/introspect'), methods: ['POST'], kind: 'json', cors: false, handler: e.introspect },
    { pattern: exact('/revoke'), methods: ['POST'], kind: 'json', cors: true, handler: e.revoke },
    { pattern: exact('/audit/api-calls'), methods: ['POST'], kind: 'json', cors: false, acceptsJson: true, handler: e.apiCalls },
    { pattern: exact('/userinfo'), methods: ['GET', 'POST'], kind: 'json', cors: true, handler: e.userinfo },
    { pattern: exact('/par'), methods: ['POST'], kind: 'json', cors: true, handler: e.pushedAuthorization },
    { pattern: exact('/authorize'), methods: ['GET', 'POST'], kind: 'page', cors: false, handler: e.authorize },
    { pattern: /^\/interaction\/(?<id>[\w-]+)$/, methods: ['GET'], kind: 'page', cors: false, handler: e.interaction.show },
    { pattern: /^\/interaction\/(?<id>[\w-]+)\/login$/, methods: ['POST'], kind: 'page', cors: false, handler: e.interaction.login },
    { pattern: /^\/interaction\/(?<id>[\w-]+)\/passkey$/, methods: ['POST'], kind: 'page', cors: false, handler: e.interaction.passkey },
    { pattern: /^\/interaction\/(?<id>[\w-]+)\/consent$/, methods: ['POST'], kind: 'page', cors: false, handler: e.interaction.consent },
    {
      pattern: /^\/mfa\/(?<id>[\w-]+)$/,
      methods: ['GET', 'POST'],
      kind: 'page',
      cors: false,
      handler: (r) => (r.method === 'POST' ? e.secondFactor.submit(r) : e.secondFactor.show(r)),
    },
    {
      pattern: /^\/interaction\/(?<id>[\w-]+)\/upstream\/(?<provider>[a-z0-9-]{1,40})$/,
      methods: ['GET'],
      kind: 'page',
      cors: false,
      handler: e.upstream.startForAuthorization,
    },
    { pattern: /^\/upstream\/(?<provider>[a-z0-9-]{1,40})\/callback$/, methods: ['GET'], kind: 'page', cors: false, handler: e.upstream.callback },
    { pattern: /^\/account\/upstream\/(?<provider>[a-z0-9-]{1,40})$/, methods: ['GET'], kind: 'page', cors: false, handler: e.upstream.startForAccount },
    { pattern: /^\/account\/link\/(?<provider>[a-z0-9-]{1,40})$/, methods: ['GET'], kind: 'page', cors: false, handler: e.upstream.startLink },
    { pattern: exact('/account'), methods: ['GET'], kind: 'page', cors: false, handler: account.show },
    { pattern: exact('/account/sign-in'), methods: ['GET', 'POST'], kind: 'page', cors: false, handler: account.signIn },
    { pattern: /^\/account\/sign-in\/(?<method>passkey)$/, methods: ['POST'], kind: 'page', cors: false, handler: account.signIn },
    { pattern: /^\/account\/(?<action>[a-z-]{1,40})$/, methods: ['POST'], kind: 'page', cors: false, handler: account.act },
    { pattern: exact('/register'), methods: ['POST'], kind: 'json', cors: true, acceptsJson: true, handler: e.registration.register },
    {
      pattern: /^\/register\/(?<clientId>[\w-]{1,128})$/,
      methods: ['GET', 'PUT', 'DELETE'],
      kind: 'json',
      cors: true,
      acceptsJson: true,
      handler: registrationManagement,
    },
    { pattern: exact('/logout'), methods: ['GET', 'POST'], kind: 'page', cors: false, handler: e.logout },
    { pattern: exact('/.well-known/openid-configuration'), methods: ['GET'], kind: 'json', cors: true, cacheSeconds: 300, handler: discovery },
    { pattern: exact('/.well-known/oauth-authorization-server'), methods: ['GET'], kind: 'json', cors: true, cacheSeconds: 300, handler: discovery },
    // RFC 9728 for the management API (resource <issuer>/api/v1); its 401s name this URL.
    {
      pattern: exact('/.well-known/oauth-protected-resource/api/v1'),
      methods: ['GET'],
      kind: 'json',
      cors: true,
      cacheSeconds: 300,
      handler: managementMetadata,
    },
    { pattern: exact('/jwks'), methods: ['GET'], kind: 'json', cors: true, cacheSeconds: 60, handler: jwks },
    { pattern: exact(PASSKEY_SCRIPT_PATH), methods: ['GET'], kind: 'page', cors: false, handler: passkeyScript },
    { pattern: exact('/healthz'), methods: ['GET'], kind: 'json', cors: false, handler: health },
    { pattern: exact('/readyz'), methods: ['GET'], kind: 'json', cors: false, handler: ready },
    { pattern: exact('/metrics'), methods: ['GET'], kind: 'json', cors: false, handler: metrics },
    ...consoleRoutes(server),
    ...mailRoutes(server),
  ];
}
