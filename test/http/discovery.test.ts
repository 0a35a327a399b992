/** Discovery documents and the JWKS, black-box. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeFixture } from '../support/fixture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('discovery and JWKS', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config });
  });
  after(() => server.close());

  for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
    it(`serves ${path}`, async () => {
      const res = await fetch(`${server.url}${path}`);
      assert.equal(res.status, 200);
      const doc = (await res.json()) as Record<string, unknown>;
      assert.equal(doc.issuer, server.url);
      assert.equal(doc.token_endpoint, `${server.url}/token`);
      assert.equal(doc.jwks_uri, `${server.url}/jwks`);
      assert.deepEqual(doc.grant_types_supported, [
        'authorization_code',
        'client_credentials',
        'refresh_token',
        'urn:ietf:params:oauth:grant-type:device_code',
        'urn:ietf:params:oauth:grant-type:token-exchange',
      ]);
      assert.equal(doc.device_authorization_endpoint, `${server.url}/device_authorization`);
      assert.equal(doc.authorization_endpoint, `${server.url}/authorize`);
      assert.equal(doc.userinfo_endpoint, `${server.url}/userinfo`);
      assert.equal(doc.end_session_endpoint, `${server.url}/logout`);
      assert.deepEqual(doc.code_challenge_methods_supported, ['S256']);
      assert.ok((doc.response_types_supported as string[]).includes('code id_token token'));
      assert.equal(doc.authorization_response_iss_parameter_supported, true);
      assert.ok((doc.token_endpoint_auth_methods_supported as string[]).includes('private_key_jwt'));
      assert.ok((doc.scopes_supported as string[]).includes('read:calendars'));
    });
  }

  it('publishes only public keys, current and next, for every algorithm it signs with', async () => {
    const res = await fetch(`${server.url}/jwks`);
    assert.equal(res.headers.get('content-type'), 'application/jwk-set+json');
    const { keys } = (await res.json()) as { keys: Record<string, unknown>[] };
    assert.equal(keys.length, 6);
    assert.deepEqual([...new Set(keys.map((k) => k.alg))].sort(), ['ES256', 'EdDSA', 'RS256']);
    for (const key of keys) {
      assert.equal(key.use, 'sig');
      assert.equal(typeof key.kid, 'string');
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(key[secret], undefined);
    }
  });

  it('answers HEAD like GET, and health checks', async () => {
    assert.equal((await fetch(`${server.url}/jwks`, { method: 'HEAD' })).status, 200);
    assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { status: 'ok' });
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
  });
});
