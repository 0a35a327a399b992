/**
 * Interop: Tessera's JWT access tokens are accepted unchanged by a widely used third-party
 * validator, Auth0's express-oauth2-jwt-bearer in its strict RFC 9068 mode (typ at+jwt,
 * iss, aud, exp, iat, sub, client_id, jti), side by side with the SDK in one Express app.
 *
 * Configured through discovery (`issuerBaseURL` + `audience`, as its README shows), that
 * library accepts only the algorithms listed in `id_token_signing_alg_values_supported`;
 * Tessera lists every algorithm it signs with there, so both the default ES256 and an
 * RS256 API are checked that way (issue 13).
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import express, { type RequestHandler } from 'express';
import { requireAuth } from '../../packages/resource-server/src/adapters/express.js';
import { createAuthenticator } from '../../packages/resource-server/src/index.js';
import { makeFixture, ORGANIZER, SECRETS } from '../support/fixture.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

// Loaded untyped on purpose: its global `Express.Request.auth` declaration would clash with the SDK's.
const AUTH0 = 'express-oauth2-jwt-bearer';
const { auth: auth0 } = (await import(AUTH0)) as {
  auth(options: { issuerBaseURL?: string; issuer?: string; jwksUri?: string; audience: string; tokenSigningAlg?: string; strict?: boolean }): RequestHandler;
};

const RSA_API = 'https://api.rsa.test';

describe('resource-server interop: express-oauth2-jwt-bearer', () => {
  let tessera: TestServer;
  let api: Server;
  let url: string;
  before(async () => {
    const { config } = await makeFixture();
    (config.apis as Record<string, unknown>[]).push({ identifier: RSA_API, name: 'RSA API', alg: 'RS256', scopes: ['read'] });
    const client = (config.clients as Record<string, unknown>[]).find((c) => c.clientId === 'basic-client')!;
    client.permissions = { ...(client.permissions as object), [RSA_API]: ['read'] };
    tessera = await startTestServer({ config });
    const app = express();
    const answer: RequestHandler = (req, res) => {
      const payload = (req as unknown as { auth: { payload: Record<string, unknown> } }).auth.payload;
      res.json({ sub: payload.sub, scope: payload.scope });
    };
    const ours: RequestHandler = (req, res) => void res.json({ sub: req.auth?.subject, scope: req.auth?.scopes.join(' ') });
    app.get('/auth0/es256', auth0({ issuerBaseURL: tessera.url, audience: ORGANIZER, strict: true }), answer);
    app.get('/auth0/rs256', auth0({ issuerBaseURL: tessera.url, audience: RSA_API, strict: true }), answer);
    app.get('/tessera/es256', requireAuth(createAuthenticator({ issuer: tessera.url, audience: ORGANIZER })), ours);
    app.get('/tessera/rs256', requireAuth(createAuthenticator({ issuer: tessera.url, audience: RSA_API })), ours);
    // The third-party middleware reports refusals as errors; answer them with their status.
    app.use(((error, _req, res, _next) => {
      res.status((error as { status?: number }).status ?? 500).json({ error: (error as Error).message });
    }) as express.ErrorRequestHandler);
    api = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => api.once('listening', resolve));
    url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });
  after(async () => {
    api.closeAllConnections();
    await new Promise((resolve) => api.close(resolve));
    await tessera.close();
  });

  const token = async (resource: string) =>
    (await tessera.post('/token', { grant_type: 'client_credentials', resource }, basic('basic-client', SECRETS.basic))).body.access_token as string;
  const get = (path: string, accessToken: string) => fetch(`${url}${path}`, { headers: { authorization: `Bearer ${accessToken}` } });

  for (const [alg, api, scope] of [
    ['es256', ORGANIZER, 'read:calendars write:calendars'],
    ['rs256', RSA_API, 'read'],
  ] as const) {
    it(`accepts a Tessera ${alg.toUpperCase()} access token in both validators, with the same reading`, async () => {
      const accessToken = await token(api);
      for (const path of [`/auth0/${alg}`, `/tessera/${alg}`]) {
        const res = await get(path, accessToken);
        assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
        assert.deepEqual(await res.json(), { sub: 'basic-client', scope });
      }
    });

    it(`and both refuse a tampered or misdirected ${alg.toUpperCase()} one`, async () => {
      const accessToken = await token(api);
      const [h, p, s] = accessToken.split('.') as [string, string, string];
      const widened = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), scope: 'admin' })).toString('base64url');
      const misdirected = await token(api === ORGANIZER ? RSA_API : ORGANIZER);
      for (const path of [`/auth0/${alg}`, `/tessera/${alg}`]) {
        assert.equal((await get(path, `${h}.${widened}.${s}`)).status, 401, path);
        assert.equal((await get(path, misdirected)).status, 401, path);
      }
    });
  }
});
