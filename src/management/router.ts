/**
 * Serves the management API under /api/v1: match the route, authenticate the caller,
 * check the one scope the route needs, validate path, query and body against the
 * route's schemas, run the handler, and render the result or a problem as JSON.
 * Framework-free, like the engine: src/http hands it plain request data.
 */
import type { AuthorizationServer } from '../core/authorization-server.js';
import { NotFoundError, StaleWriteError, ValidationError } from '../core/errors.js';
import type { EngineResponse } from '../core/request.js';
import { managementAudience, managementResourceMetadataUrl } from './management-api.js';
import { openApiDocument } from './openapi.js';
import { actorOf, authenticatePrincipal, insufficientScope, type Principal } from './principal.js';
import { changeDiff } from '../core/audit/change-diff.js';
import { badField, fromZod, ManagementProblem } from './problem.js';
import type { ManagementRoute } from './route.js';
import { MANAGEMENT_ROUTES } from './routes/index.js';

export interface ManagementRequest {
  method: string;
  /** The path below /api/v1, e.g. `/clients/abc`. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  /** The raw body, for POST/PUT/PATCH. */
  body?: string;
  ip?: string;
  requestId?: string;
}

interface CompiledRoute {
  route: ManagementRoute;
  pattern: RegExp;
  names: string[];
}

function compile(route: ManagementRoute): CompiledRoute {
  const names: string[] = [];
  const source = route.path.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), names };
}

function decodeSegment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw badField('path', 'invalid percent-encoding');
  }
}

/** Renders a problem; a Bearer challenge names the API's protected resource metadata (RFC 9728 §5.1). */
function render(problem: ManagementProblem, metadataUrl: string): EngineResponse {
  const challenge = problem.headers['WWW-Authenticate'];
  const headers = challenge?.startsWith('Bearer')
    ? { ...problem.headers, 'WWW-Authenticate': `${challenge}${challenge === 'Bearer' ? ' ' : ', '}resource_metadata="${metadataUrl}"` }
    : problem.headers;
  return { status: problem.status, headers, body: problem.toJSON() };
}

export interface ManagementRouterOptions {
  /**
   * Who is calling. By default the request's bearer token (principal.ts). The CLI's
   * local mode, which already holds the store, passes its operator instead: the same
   * routes, checks and audit records, without a token.
   */
  authenticate?: (request: ManagementRequest) => Promise<Principal>;
}

export function managementRouter(engine: AuthorizationServer, routes: readonly ManagementRoute[] = MANAGEMENT_ROUTES, options: ManagementRouterOptions = {}) {
  const compiled = routes.map(compile);
  const authenticate = options.authenticate ?? ((request: ManagementRequest) => authenticatePrincipal(engine, request));
  const document = openApiDocument(routes, managementAudience(engine.issuer));
  const metadataUrl = managementResourceMetadataUrl(engine.issuer);

  return async function handleManagementRequest(request: ManagementRequest): Promise<EngineResponse> {
    if (request.path === '/openapi.json' && request.method === 'GET') return { status: 200, body: document };
    try {
      const matches = compiled.map((c) => ({ c, match: c.pattern.exec(request.path) })).filter((m) => m.match);
      if (matches.length === 0) throw new ManagementProblem(404, 'not_found', `no such endpoint: ${request.path}`);
      const found = matches.find((m) => m.c.route.method === request.method);
      if (!found) {
        const allow = matches.map((m) => m.c.route.method).join(', ');
        throw new ManagementProblem(405, 'method_not_allowed', `use ${allow}`, [], { Allow: allow });
      }
      const { route } = found.c;
      const principal = await authenticate(request);
      if (!principal.scopes.has(route.scope)) throw insufficientScope(route.scope);

      const rawParams = Object.fromEntries(found.c.names.map((name, i) => [name, decodeSegment(found.match![i + 1]!)]));
      const params = route.params ? route.params.safeParse(rawParams) : { success: true as const, data: rawParams };
      if (!params.success) throw fromZod('path', params.error);
      const query = route.query ? route.query.safeParse(Object.fromEntries(request.query)) : { success: true as const, data: {} };
      if (!query.success) throw fromZod('query', query.error);
      let body: unknown;
      if (route.body) {
        if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) throw badField('body', 'send JSON with Content-Type: application/json');
        let raw: unknown;
        try {
          raw = JSON.parse(request.body || 'null');
        } catch {
          throw badField('body', 'not valid JSON');
        }
        const parsed = route.body.safeParse(raw);
        if (!parsed.success) throw fromZod('body', parsed.error);
        body = parsed.data;
      }
      const result = await route.handler(engine, {
        params: params.data,
        query: query.data,
        body,
        principal,
        ...(request.headers['if-match'] !== undefined ? { ifMatch: request.headers['if-match'] } : {}),
      });
      if (result.change) {
        const { kind, id, action, before, after } = result.change;
        engine.audit.record({
          type: 'management.changed',
          outcome: 'success',
          actor: actorOf(principal),
          ...(request.ip ? { ip: request.ip } : {}),
          ...(request.requestId ? { requestId: request.requestId } : {}),
          details: { kind, id, action, route: `${route.method} ${route.path}`, diff: changeDiff(before, after ?? {}) },
        });
      }
      const status = result.status ?? route.status;
      const headers: Record<string, string> = result.etag ? { ETag: result.etag } : {};
      return status === 204 || result.body === undefined ? { status, headers } : { status, headers, body: result.body };
    } catch (error) {
      if (error instanceof ManagementProblem) return render(error, metadataUrl);
      if (error instanceof ValidationError) return render(badField(`body.${error.field}`, error.message.replace(/^[^:]+: /, '')), metadataUrl);
      if (error instanceof NotFoundError) return render(new ManagementProblem(404, 'not_found', error.message), metadataUrl);
      if (error instanceof StaleWriteError) return render(new ManagementProblem(412, 'precondition_failed', error.message), metadataUrl);
      throw error;
    }
  };
}
