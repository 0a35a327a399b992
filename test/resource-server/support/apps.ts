/**
 * The same small API served through each adapter, for the adapter suite:
 *   GET /calendars              requireScopes('read:calendars')
 *   GET /calendars/:id/events   any credential
 *   GET /admin                  requirePermissions('admin:all')
 *   GET /layered/x              authenticated by an outer middleware, then guarded by the route
 * Each answers the principal's kind and subject as JSON. With the authenticator's
 * `protectedResource` option, each also serves the RFC 9728 document.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve as serveHono } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { requireAuth as expressAuth, protectedResourceMetadata as expressMetadata } from '../../../packages/resource-server/src/adapters/express.js';
import { requireAuth as fastifyAuth, protectedResourceMetadata as fastifyMetadata } from '../../../packages/resource-server/src/adapters/fastify.js';
import { requireAuth as honoAuth, protectedResourceMetadata as honoMetadata } from '../../../packages/resource-server/src/adapters/hono.js';
import { requireAuth as nodeAuth, protectedResourceMetadata as nodeMetadata } from '../../../packages/resource-server/src/adapters/node-http.js';
import { requirePermissions, requireScopes, type Authenticator, type Principal } from '../../../packages/resource-server/src/index.js';

export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

export type AdapterName = 'express' | 'fastify' | 'hono' | 'node-http';

const summary = (p: Principal | undefined) => ({ kind: p?.kind, subject: p?.subject });
const calendars = requireScopes('read:calendars');
const admin = requirePermissions('admin:all');

function listening(server: Server): Promise<RunningApp> {
  return new Promise((resolve) => {
    const ready = () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    if (server.listening) ready();
    else server.once('listening', ready);
  });
}

export const serveWith: Record<AdapterName, (auth: Authenticator) => Promise<RunningApp>> = {
  async express(auth) {
    const app = express();
    if (auth.resourceMetadata) app.use(expressMetadata(auth));
    app.get('/calendars', expressAuth(auth, calendars), (req, res) => void res.json(summary(req.auth)));
    app.get('/calendars/:id/events', expressAuth(auth), (req, res) => void res.json(summary(req.auth)));
    app.get('/admin', expressAuth(auth, admin), (req, res) => void res.json(summary(req.auth)));
    app.use('/layered', expressAuth(auth));
    app.get('/layered/x', expressAuth(auth, calendars), (req, res) => void res.json(summary(req.auth)));
    const v1 = express.Router();
    v1.get('/calendars/:id/events', expressAuth(auth), (req, res) => void res.json(summary(req.auth)));
    app.use('/v1', v1);
    return listening(app.listen(0, '127.0.0.1'));
  },

  async fastify(auth) {
    const app = Fastify();
    if (auth.resourceMetadata) await app.register(fastifyMetadata(auth));
    app.get('/calendars', { preHandler: fastifyAuth(auth, calendars) }, async (request) => summary(request.auth));
    app.get('/calendars/:id/events', { preHandler: fastifyAuth(auth) }, async (request) => summary(request.auth));
    app.get('/admin', { preHandler: fastifyAuth(auth, admin) }, async (request) => summary(request.auth));
    await app.register(async (layered) => {
      layered.addHook('preHandler', fastifyAuth(auth));
      layered.get('/layered/x', { preHandler: fastifyAuth(auth, calendars) }, async (request) => summary(request.auth));
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close() };
  },

  async hono(auth) {
    const app = new Hono();
    if (auth.resourceMetadata) app.use(honoMetadata(auth));
    app.get('/calendars', honoAuth(auth, calendars), (c) => c.json(summary(c.get('auth'))));
    app.get('/calendars/:id/events', honoAuth(auth), (c) => c.json(summary(c.get('auth'))));
    app.get('/admin', honoAuth(auth, admin), (c) => c.json(summary(c.get('auth'))));
    app.use('/layered/*', honoAuth(auth));
    app.get('/layered/x', honoAuth(auth, calendars), (c) => c.json(summary(c.get('auth'))));
    return listening(serveHono({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server);
  },

  async 'node-http'(auth) {
    const routes: [RegExp, ReturnType<typeof nodeAuth>[]][] = [
      [/^\/calendars$/, [nodeAuth(auth, calendars)]],
      [/^\/calendars\/[^/]+\/events$/, [nodeAuth(auth)]],
      [/^\/admin$/, [nodeAuth(auth, admin)]],
      [/^\/layered\/x$/, [nodeAuth(auth), nodeAuth(auth, calendars)]],
    ];
    const metadata = auth.resourceMetadata ? nodeMetadata(auth) : () => false;
    const server = createServer(async (req, res) => {
      if (metadata(req, res)) return;
      const path = (req.url ?? '/').split('?')[0]!;
      const route = routes.find(([pattern]) => pattern.test(path));
      if (!route) return void res.writeHead(404).end();
      let principal: Principal | undefined;
      for (const guard of route[1]) {
        principal = await guard(req, res);
        if (!principal) return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(summary(principal)));
    });
    server.listen(0, '127.0.0.1');
    return listening(server);
  },
};

export interface RawResponse {
  status: number;
  wwwAuthenticate: string | undefined;
  body: Record<string, unknown>;
}

/** GET with the path sent exactly as written (fetch would normalise dot segments away). */
/** A GET with the Authorization header as given: an array sends one header line per value. */
export function rawGet(base: string, path: string, authorization?: string | string[]): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    // Raw header lines (node then adds no Host of its own): one Authorization line per value.
    const lines = [['host', `${hostname}:${port}`], ...[authorization ?? []].flat().map((value) => ['authorization', value])].flat();
    const req = request({ hostname, port, path, method: 'GET', headers: lines }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let body: Record<string, unknown> = {};
        try {
          body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          body = { text };
        }
        resolve({ status: res.statusCode ?? 0, wwwAuthenticate: res.headers['www-authenticate'], body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
