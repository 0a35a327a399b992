/**
 * Binds the engine to node:http. Kept thin on purpose: the token path is parse the
 * body, call the engine, write JSON; no framework sits in between.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { AuthorizationServer } from '../core/authorization-server.js';
import { invalidRequest, methodNotAllowed, notFound } from '../core/errors.js';
import { Params } from '../core/request.js';
import { isJsonContentType, readFormBody, readJsonBody } from './read-body.js';
import { send, sendError } from './respond.js';
import { parseCookies, renderSetCookie } from './cookies.js';
import { MANAGEMENT_PREFIX, managementBinding } from './management-binding.js';
import { HttpMetrics, routeLabel } from './metrics.js';
import { routeTable, type Route, type ServerState } from './routes.js';
import { clientAddressResolver, type TrustProxy } from './client-address.js';

const REQUEST_ID = /^[\w.-]{1,64}$/;
const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, DPoP',
  'Access-Control-Max-Age': '600',
  // Browser clients read DPoP nonces and challenges (RFC 9449 §8, §7.1).
  'Access-Control-Expose-Headers': 'DPoP-Nonce, WWW-Authenticate',
};

/**
 * node:http keeps only the first of repeated Authorization headers; a request that
 * carries several is ambiguous about who is calling and is refused outright.
 */
function refuseRepeatedAuthorization(req: IncomingMessage): void {
  // Counted in rawHeaders: req.headersDistinct would build an array for every header of every request.
  const raw = req.rawHeaders;
  let seen = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 13 && name.toLowerCase() === 'authorization' && ++seen > 1) throw invalidRequest('send one Authorization header, not several');
  }
}

export function createRequestHandler(
  server: AuthorizationServer,
  logger: Logger,
  state: ServerState = { metrics: new HttpMetrics(server), draining: false },
  options: { trustProxy?: TrustProxy } = {},
) {
  const routes = routeTable(server, state);
  const clientAddress = clientAddressResolver(options.trustProxy);
  const labels = new Map(routes.map((r) => [r, routeLabel(r.pattern)]));
  const { metrics } = state;
  // performance.now(): a double, where hrtime.bigint() allocates a BigInt per reading.
  const seconds = (started: number) => (performance.now() - started) / 1000;
  const serveManagement = managementBinding(server, clientAddress);
  const issuerUrl = new URL(server.issuer);
  const basePath = issuerUrl.pathname.replace(/\/$/, '');
  const cookieOptions = { path: basePath || '/', secure: issuerUrl.protocol === 'https:' };
  // The access line holds only fields built here (request id, method, sanitised path,
  // status, time), never a header or body, so it skips the redaction pass: pino's
  // wildcard redaction cost about 3% of a token request's CPU in a profile.
  const accessLog = logger.child({}, { redact: { paths: [] } });

  return async function handleHttpRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const incomingId = req.headers['x-request-id'];
    const requestId = typeof incomingId === 'string' && REQUEST_ID.test(incomingId) ? incomingId : randomUUID();
    // Written with the response's own headers in its one writeHead (respond.ts).
    const requestHeaders: Record<string, string> = { 'X-Request-Id': requestId };
    // While draining, each connection serves what it has begun and then closes.
    if (state.draining) requestHeaders.Connection = 'close';
    const [path = '/', query = ''] = (req.url ?? '/').split('?', 2) as [string, string?];
    const relative = basePath && path.startsWith(basePath) ? path.slice(basePath.length) || '/' : path;
    if (relative === MANAGEMENT_PREFIX || relative.startsWith(`${MANAGEMENT_PREFIX}/`)) {
      try {
        refuseRepeatedAuthorization(req);
        await serveManagement(req, res, relative, query, requestHeaders);
      } catch (error) {
        sendError(res, error, logger.child({ reqId: requestId }), false, requestHeaders);
      }
      metrics.request(`${MANAGEMENT_PREFIX}/*`, req.method ?? '', res.statusCode, seconds(started));
      accessLog.info({ reqId: requestId, method: req.method, path: relative, status: res.statusCode }, 'request');
      return;
    }
    let route: Route | undefined;
    let match: RegExpExecArray | null = null;
    for (const candidate of routes) {
      match = candidate.pattern.exec(relative);
      if (match) {
        route = candidate;
        break;
      }
    }
    try {
      if (!route) throw notFound();
      if (route.cors) Object.assign(requestHeaders, CORS_HEADERS);
      if (req.method === 'OPTIONS' && route.cors) {
        res.writeHead(204, requestHeaders).end();
        return;
      }
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      if (!route.methods.includes(method as Route['methods'][number])) {
        throw methodNotAllowed(route.methods.includes('GET') ? [...route.methods, 'HEAD'] : [...route.methods]);
      }
      refuseRepeatedAuthorization(req);
      const json =
        (method === 'POST' || method === 'PUT') && route.acceptsJson && isJsonContentType(req.headers['content-type']) ? await readJsonBody(req) : undefined;
      const params = json !== undefined ? new Params([]) : method === 'POST' ? Params.fromUrlEncoded(await readFormBody(req)) : Params.fromUrlEncoded(query);
      const response = await route.handler({
        ...(json !== undefined ? { json } : {}),
        method: method as Route['methods'][number],
        headers: req.headers as Record<string, string | undefined>,
        params,
        endpointUrl: `${server.issuer}${relative}`,
        cookies: route.kind === 'page' ? parseCookies(req.headers.cookie) : {},
        ip: clientAddress(req),
        requestId,
        pathParams: { ...match?.groups },
      });
      const cacheable = method === 'GET' && (route.cacheSeconds ?? 0) > 0;
      if (cacheable) response.headers = { ...response.headers, 'Cache-Control': `public, max-age=${route.cacheSeconds}` };
      const cookies = (response.setCookies ?? []).map((c) => renderSetCookie(c, cookieOptions));
      send(res, response, requestHeaders, cacheable, cookies);
    } catch (error) {
      metrics.error(error);
      sendError(res, error, logger.child({ reqId: requestId }), route?.kind === 'page', requestHeaders);
    } finally {
      metrics.request((route && labels.get(route)) ?? 'unmatched', req.method ?? '', res.statusCode, seconds(started));
      if (logger.isLevelEnabled('info')) {
        const ms = performance.now() - started;
        const loggedPath = route?.secretPath
          ? labels.get(route)
          : route?.pattern.source.includes('interaction')
            ? '/interaction/…'
            : relative.length > 200
              ? `${relative.slice(0, 200)}…`
              : relative;
        accessLog.info({ reqId: requestId, method: req.method, path: loggedPath, status: res.statusCode, ms }, 'request');
      }
    }
  };
}

export interface RunningServer {
  http: Server;
  engine: AuthorizationServer;
  /** The address actually bound, e.g. http://127.0.0.1:9000. */
  url: string;
  metrics: HttpMetrics;
  close(): Promise<void>;
  /**
   * Graceful stop: accepts no new connections, makes /readyz answer 503, lets the
   * requests in flight finish for up to `timeoutMs`, then cuts what is left. Resolves
   * with how many requests were cut. The engine and store stay open for the caller.
   */
  drain(timeoutMs: number): Promise<{ cut: number }>;
}

/**
 * Binds the port first and only then builds the engine, because the default issuer
 * is the bound address (which a port of 0 makes known only after listening).
 */
export async function listen(
  options: {
    host: string;
    port: number;
    logger: Logger;
    trustProxy?: TrustProxy;
    /**
     * The address when it is known before binding (a worker joining the others): the
     * engine is then built first, so no request meets a worker still starting.
     */
    knownUrl?: string;
  },
  makeEngine: (boundUrl: string) => Promise<AuthorizationServer>,
): Promise<RunningServer> {
  const early = options.knownUrl !== undefined ? await makeEngine(options.knownUrl) : undefined;
  let handler: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;
  const inFlight = new Set<ServerResponse>();
  let idle: (() => void) | undefined;
  const http = createServer({ headersTimeout: 10_000, requestTimeout: 15_000, keepAliveTimeout: 5_000 }, (req, res) => {
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      if (inFlight.size === 0) idle?.();
    });
    if (handler) void handler(req, res);
    else res.writeHead(503, { 'Retry-After': '1' }).end();
  });
  http.on('clientError', (_error, socket) => {
    // Malformed HTTP: answer 400 and close, rather than let node print or hang.
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port, options.host, () => resolve());
    });
  } catch (error) {
    await early?.close();
    throw error;
  }
  const close = () =>
    new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeIdleConnections();
    });
  const address = http.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  let engine: AuthorizationServer;
  try {
    engine = early ?? (await makeEngine(url));
  } catch (error) {
    await close();
    throw error;
  }
  const state: ServerState = { metrics: new HttpMetrics(engine), draining: false };
  handler = createRequestHandler(engine, options.logger, state, options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {});
  const drain = async (timeoutMs: number) => {
    state.draining = true;
    const closed = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeIdleConnections();
    // Requests in flight finish, and their connections close after the response.
    for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    let cut = 0;
    if (inFlight.size > 0) {
      const finished = new Promise<void>((resolve) => (idle = resolve));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
      if ((await Promise.race([finished, timedOut])) === 'timeout') cut = inFlight.size;
      clearTimeout(timer);
    }
    http.closeAllConnections();
    await closed;
    state.metrics.close();
    return { cut };
  };
  return {
    http,
    engine,
    url,
    metrics: state.metrics,
    close: async () => {
      await close();
      state.metrics.close();
    },
    drain,
  };
}
