/**
 * ID tokens signed with the algorithm each client registered (`idTokenSignedResponseAlg`,
 * OIDC's id_token_signed_response_alg), verified against the published JWKS, with
 * at_hash over the algorithm's own hash; discovery lists every algorithm.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { TestBrowser } from '../support/browser.js';
import { CALLBACK, makeFixture, SECRETS } from '../support/fixture.js';
import { authorize } from '../support/sign-in.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

describe('ID token signing algorithms per client', () => {
  let server: TestServer;
  const calendar = { clientId: 'calendar-app', secrets: [SECRETS.calendar], redirectUris: [CALLBACK], grantTypes: ['authorization_code'], scopes: [] };
  before(async () => {
    const { config } = await makeFixture();
    const clients = config.clients as Record<string, unknown>[];
    const app = clients.find((c) => c.clientId === 'calendar-app')!;
    for (const alg of ['ES256', 'EdDSA'])
      clients.push({ ...app, ...calendar, clientId: `app-${alg}`, name: `App ${alg}`, idTokenSignedResponseAlg: alg, firstParty: true });
    server = await startTestServer({ config });
  });
  after(() => server.close());

  it('lists every algorithm it signs with in discovery', async () => {
    const doc = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
    assert.deepEqual(doc.id_token_signing_alg_values_supported, ['RS256', 'ES256', 'EdDSA']);
  });

  for (const [clientId, alg, hash] of [
    ['calendar-app', 'RS256', 'sha256'],
    ['app-ES256', 'ES256', 'sha256'],
    ['app-EdDSA', 'EdDSA', 'sha512'],
  ] as const) {
    it(`signs ${clientId}'s ID tokens with ${alg}`, async () => {
      const { code } = await authorize(
        new TestBrowser(),
        server.url,
        { client_id: clientId, response_type: 'code', redirect_uri: CALLBACK, scope: 'openid', nonce: 'n' },
        { consent: 'allow' },
      );
      const res = await server.post('/token', { grant_type: 'authorization_code', code: code!, redirect_uri: CALLBACK }, basic(clientId, SECRETS.calendar));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const { payload, protectedHeader } = await jwtVerify(res.body.id_token as string, createRemoteJWKSet(new URL(`${server.url}/jwks`)), {
        issuer: server.url,
        audience: clientId,
        algorithms: [alg],
      });
      assert.equal(protectedHeader.alg, alg);
      const digest = createHash(hash)
        .update(res.body.access_token as string, 'ascii')
        .digest();
      assert.equal(payload.at_hash, digest.subarray(0, digest.length / 2).toString('base64url'));
    });
  }

  it('refuses an algorithm it does not sign with', async () => {
    const { validateConfig } = await import('../../src/core/config/load.js');
    assert.throws(
      () => validateConfig({ clients: [{ ...calendar, clientId: 'x', idTokenSignedResponseAlg: 'HS256' }] }, 'test', { apis: [], roles: [] }),
      /idTokenSignedResponseAlg/,
    );
  });
});
