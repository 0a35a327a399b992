/**
 * Tessera refuses an upstream's ID token unless every check passes: signature by a
 * published key, audience, expiry, the nonce of this very sign-in (so a replayed ID
 * token fails too). Each refusal ends on a clear page; no account is created.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { validateConfig } from '../../src/core/config/load.js';
import { TestBrowser } from '../support/browser.js';
import { startFakeOidc, type FakeMode, type FakeOidc } from '../support/fake-oidc.js';
import { authorizeUrl, pkce } from '../support/sign-in.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { openAndFollow, providerLink } from '../support/upstream-flow.js';

const CALLBACK = 'https://app.test/callback';

describe('upstream ID token validation', () => {
  let server: TestServer;
  let fake: FakeOidc;

  before(async () => {
    server = await startTestServer();
    fake = await startFakeOidc();
    const config = {
      identityProviders: [{ id: 'shady', name: 'Shady', type: 'oidc', issuer: fake.issuer, clientId: fake.clientId, clientSecret: fake.clientSecret }],
      clients: [{ clientId: 'app', secrets: ['app-secret-0123456789abc'], grantTypes: ['authorization_code'], redirectUris: [CALLBACK] }],
    };
    await server.engine.apply(validateConfig(config, 'test', { apis: [], roles: [] }));
  });
  after(async () => {
    await server.close();
    await fake.close();
  });

  async function attempt(mode: FakeMode) {
    fake.mode = mode;
    const query = {
      client_id: 'app',
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid',
      state: 's',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
    };
    const browser = new TestBrowser();
    const signIn = await openAndFollow(browser, authorizeUrl(server.url, query), CALLBACK);
    return openAndFollow(browser, providerLink(signIn, 'Shady'), CALLBACK);
  }

  it('accepts a proper ID token (the baseline the refusals differ from)', async () => {
    const page = await attempt('good');
    assert.equal(page.status, 200);
    assert.match(page.html, /Allow access\?/);
  });

  for (const mode of ['wrong-nonce', 'replayed', 'foreign-key', 'wrong-audience', 'expired'] as const) {
    it(`refuses an ID token: ${mode}`, async () => {
      const users = (await server.engine.store.listUsers()).length;
      const page = await attempt(mode);
      assert.equal(page.status, 400, page.html.slice(0, 300));
      assert.match(page.html, /did not pass Tessera&#39;s checks/);
      assert.match(page.html, /Back to sign-in/);
      assert.equal((await server.engine.store.listUsers()).length, users, 'no account created');
    });
  }
});
