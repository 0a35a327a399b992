/**
 * Where the admin console is served: the page at /admin/ (and /admin, redirected so
 * relative asset URLs resolve) and its files at /admin/assets/..., revalidated by ETag
 * on every load (no-cache), so a new version is picked up at once and an unchanged one
 * costs a 304. The files are read on the first request for one, not at start: a server
 * whose console nobody opens never holds them.
 */
import type { AuthorizationServer, EndpointHandler } from '../core/authorization-server.js';
import { consoleShell, SECURITY_HEADERS } from '../console/shell.js';
import { type Asset, loadAssets } from '../console/static-assets.js';
import { CONSOLE_PATH } from '../management/console-client.js';
import type { Route } from './routes.js';

export function consoleRoutes(server: AuthorizationServer): Route[] {
  let assets: Map<string, Asset> | undefined;
  const toSlash: EndpointHandler = async () => ({ status: 308, headers: { Location: `${server.issuer}${CONSOLE_PATH}` } });
  const shell: EndpointHandler = async () => consoleShell(server.issuer);
  const asset: EndpointHandler = async (request) => {
    assets ??= loadAssets();
    const found = assets.get(request.pathParams?.file ?? '');
    if (!found) return { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, text: 'no such file' };
    const headers = { ...SECURITY_HEADERS, 'Cache-Control': 'no-cache', ETag: found.etag };
    if (request.headers['if-none-match'] === found.etag) return { status: 304, headers };
    return { status: 200, headers: { ...headers, 'Content-Type': found.contentType }, text: found.body };
  };
  return [
    { pattern: /^\/admin$/, methods: ['GET'], kind: 'page', cors: false, handler: toSlash },
    { pattern: /^\/admin\/$/, methods: ['GET'], kind: 'page', cors: false, handler: shell },
    { pattern: /^\/admin\/assets\/(?<file>[\w./-]{1,200})$/, methods: ['GET'], kind: 'page', cors: false, handler: asset },
  ];
}
