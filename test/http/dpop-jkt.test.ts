/**
 * `dpop_jkt` at the authorization endpoint (RFC 9449 §10), black-box: the code is bound
 * to the key named there and is redeemed only with a DPoP proof from that key;
 * `oauth4webapi` redeems it with the right key.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';
import { TestBrowser } from '../support/browser.js';
import { makeFixture, SPA_CALLBACK } from '../support/fixture.js';
import { authorize, pkce } from '../support/sign-in.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('dpop_jkt binds the authorization code (RFC 9449 §10)', () => {
  let server: TestServer;
  let as: oauth.AuthorizationServer;
  const insecure = { [oauth.allowInsecureRequests]: true };
  const spa: oauth.Client = { client_id: 'todo-spa' };

  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config });
    as = await oauth.processDiscoveryResponse(new URL(server.url), await oauth.discoveryRequest(new URL(server.url), insecure));
  });
  after(() => server.close());

  async function code(extra: Record<string, string>): Promise<{ params: URLSearchParams; verifier: string }> {
    const { verifier, challenge } = pkce();
    const result = await authorize(new TestBrowser(), server.url, {
      client_id: 'todo-spa',
      response_type: 'code',
      redirect_uri: SPA_CALLBACK,
      scope: 'read:calendars',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    });
    return { params: oauth.validateAuthResponse(as, spa, new URLSearchParams(result)), verifier };
  }

  it('redeems the code with a proof from the key named by dpop_jkt', async () => {
    const DPoP = oauth.DPoP(spa, await oauth.generateKeyPair('ES256'));
    const { params, verifier } = await code({ dpop_jkt: await DPoP.calculateThumbprint() });
    const response = await oauth.authorizationCodeGrantRequest(as, spa, oauth.None(), params, SPA_CALLBACK, verifier, { ...insecure, DPoP });
    const tokens = await oauth.processAuthorizationCodeResponse(as, spa, response);
    assert.equal(tokens.token_type, 'dpop');
    assert.deepEqual(decodeJwt(tokens.access_token).cnf, { jkt: await DPoP.calculateThumbprint() });
  });

  it('refuses the code with a proof from another key, or with none', async () => {
    const DPoP = oauth.DPoP(spa, await oauth.generateKeyPair('ES256'));
    const other = await generateKeyPair('ES256');
    const otherProof = await new SignJWT({ htm: 'POST', htu: `${server.url}/token`, jti: crypto.randomUUID(), iat: Math.floor(Date.now() / 1000) })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(other.publicKey) })
      .sign(other.privateKey);
    for (const headers of [{ dpop: otherProof }, {}] as Record<string, string>[]) {
      const { params, verifier } = await code({ dpop_jkt: await DPoP.calculateThumbprint() });
      const res = await server.post(
        '/token',
        { grant_type: 'authorization_code', code: params.get('code')!, redirect_uri: SPA_CALLBACK, code_verifier: verifier, client_id: 'todo-spa' },
        headers,
      );
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error, 'invalid_grant');
    }
  });

  it('refuses a malformed dpop_jkt at /authorize', async () => {
    const { challenge } = pkce();
    const page = await new TestBrowser().get(
      `${server.url}/authorize?${new URLSearchParams({ client_id: 'todo-spa', response_type: 'code', redirect_uri: SPA_CALLBACK, scope: 'read:calendars', code_challenge: challenge, code_challenge_method: 'S256', dpop_jkt: 'short' })}`,
    );
    assert.match(page.location ?? '', /error=invalid_request/);
  });
});
