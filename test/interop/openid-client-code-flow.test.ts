/**
 * Interop: the certified client library `openid-client` (v6) runs the authorization
 * code flow with PKCE against a running Tessera, through Tessera's real sign-in and
 * consent HTML forms over HTTP (a cookie-keeping test browser stands in for the user).
 *
 * openid-client builds the authorization URL (PKCE S256, state, nonce) and, from the
 * URL the browser lands on, validates the authorization response (RFC 9207 `iss`,
 * state), redeems the code and validates the ID token (signature against the served
 * JWKS via enableNonRepudiationChecks, iss, aud, nonce, exp). It then refreshes
 * (with rotation and reuse detection) and calls userinfo. A public client runs the
 * same flow with no client authentication, and a denied consent surfaces as an
 * `access_denied` AuthorizationResponseError.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { readForm, TestBrowser } from '../support/browser.js';
import { CALLBACK, makeFixture, ORGANIZER, PASSWORDS, SECRETS, SPA_CALLBACK } from '../support/fixture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('interop: openid-client runs the authorization code flow through the real pages', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config });
  });

  after(async () => {
    await server?.close();
  });

  /**
   * An openid-client Configuration found through discovery: plain http on loopback,
   * and ID token signatures checked against the served JWKS.
   */
  function connect(clientId: string, auth: client.ClientAuth): Promise<client.Configuration> {
    return client.discovery(new URL(server.url), clientId, undefined, auth, {
      execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
    });
  }

  const calendarApp = () => connect('calendar-app', client.ClientSecretBasic(SECRETS.calendar));
  const todoSpa = () => connect('todo-spa', client.None());

  /**
   * Plays the user: opens the authorization URL in a fresh browser, signs in as alice
   * through the sign-in form, presses `decision` on the consent form, and returns the
   * URL Tessera finally redirects to (at the client's redirect URI).
   */
  async function throughThePages(authorizationUrl: URL, redirectUri: string, decision: 'allow' | 'deny'): Promise<URL> {
    const browser = new TestBrowser();
    const signInPage = await browser.follow(await browser.get(authorizationUrl.href), server.url);
    assert.equal(signInPage.status, 200, signInPage.html.slice(0, 300));
    assert.match(signInPage.html, /name="password"/, 'the sign-in page');
    const signIn = readForm(signInPage.html);
    const consentPage = await browser.follow(
      await browser.post(new URL(signIn.action, server.url).href, { ...signIn.fields, username: 'alice', password: PASSWORDS.alice }),
      server.url,
    );
    assert.ok(browser.cookies.has('tsr_session'), 'signed in: the session cookie is set');
    assert.equal(consentPage.status, 200, consentPage.html.slice(0, 300));
    assert.match(consentPage.html, /Allow access\?/, 'the consent page');
    const consent = readForm(consentPage.html);
    assert.ok(
      consent.buttons.some((b) => b.name === 'decision' && b.value === decision),
      `the consent form has a ${decision} button`,
    );
    const done = await browser.post(new URL(consent.action, server.url).href, { ...consent.fields, decision });
    assert.equal(done.status, 303, done.html.slice(0, 300));
    const location = done.location;
    assert.ok(location !== undefined && location.startsWith(`${redirectUri}?`), `redirected to the client: ${location}`);
    return new URL(location);
  }

  /** The at_hash of an RS256 ID token for `accessToken` (OIDC Core §3.1.3.6). */
  const atHash = (accessToken: string) => createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');

  const refused = (error: unknown, code: string) => {
    assert.ok(error instanceof client.ResponseBodyError, String(error));
    assert.equal(error.error, code);
    assert.equal(error.status, 400);
    return true;
  };

  it('signs alice in for a confidential client, validates the ID token, refreshes with rotation, and calls userinfo', async () => {
    const config = await calendarApp();
    assert.equal(config.serverMetadata().authorization_response_iss_parameter_supported, true);

    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid profile email read:calendars',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    assert.equal(authorizationUrl.origin + authorizationUrl.pathname, `${server.url}/authorize`);

    const callback = await throughThePages(authorizationUrl, CALLBACK, 'allow');
    assert.equal(callback.searchParams.get('iss'), server.url, 'RFC 9207 iss in the response');

    const startedAt = Math.floor(Date.now() / 1000);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.scope, 'openid profile email read:calendars');
    assert.equal(typeof tokens.expires_in, 'number');
    assert.ok(tokens.refresh_token, 'a refresh token is issued');
    assert.ok(tokens.id_token, 'an ID token is issued');

    const claims = tokens.claims();
    assert.ok(claims);
    assert.equal(claims.iss, server.url);
    assert.equal(claims.aud, 'calendar-app');
    assert.equal(claims.nonce, nonce);
    assert.equal(typeof claims.sub, 'string');
    assert.ok(claims.sub.length > 0);
    assert.equal(typeof claims.auth_time, 'number');
    assert.ok(claims.auth_time! <= startedAt + 5 && claims.auth_time! >= startedAt - 120, `auth_time ${claims.auth_time} is recent`);
    assert.equal(claims.at_hash, atHash(tokens.access_token), 'at_hash binds the ID token to the access token');

    // Independently of openid-client: the ID token verifies with the served JWKS, RS256.
    const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
    const verified = await jwtVerify(tokens.id_token, jwks, { issuer: server.url, audience: 'calendar-app', algorithms: ['RS256'] });
    assert.equal(verified.protectedHeader.alg, 'RS256');
    assert.equal(typeof verified.protectedHeader.kid, 'string');

    const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(userinfo.sub, claims.sub);
    assert.equal(userinfo.preferred_username, 'alice');
    assert.equal(userinfo.name, 'Alice Liddell');
    assert.equal(userinfo.email, 'alice@example.test');
    assert.equal(userinfo.email_verified, true);

    // Refresh: a new access token and a NEW refresh token (rotation).
    const firstRefresh = tokens.refresh_token;
    const refreshed = await client.refreshTokenGrant(config, firstRefresh);
    assert.ok(refreshed.refresh_token, 'the refresh response carries a refresh token');
    assert.notEqual(refreshed.refresh_token, firstRefresh, 'the refresh token rotates');
    assert.notEqual(refreshed.access_token, tokens.access_token, 'a new access token');
    // Tessera also returns a fresh ID token (OIDC Core §12.2), which openid-client validates too.
    const refreshedClaims = refreshed.claims();
    assert.ok(refreshedClaims, 'an ID token on refresh');
    assert.equal(refreshedClaims.sub, claims.sub);
    assert.equal(refreshedClaims.aud, 'calendar-app');
    assert.equal(refreshedClaims.auth_time, claims.auth_time, 'auth_time is that of the original sign-in');
    assert.equal(refreshedClaims.at_hash, atHash(refreshed.access_token));
    const userinfoAfterRefresh = await client.fetchUserInfo(config, refreshed.access_token, claims.sub);
    assert.equal(userinfoAfterRefresh.preferred_username, 'alice');

    // Use the successor once, so a replay of the first is not a retry within the grace period.
    const secondRefresh = refreshed.refresh_token;
    const again = await client.refreshTokenGrant(config, secondRefresh);
    assert.ok(again.refresh_token);
    assert.notEqual(again.refresh_token, secondRefresh);
    const newest = again.refresh_token;

    // Replaying the first refresh token is reuse: refused, and the whole family revoked.
    await assert.rejects(client.refreshTokenGrant(config, firstRefresh), (error) => refused(error, 'invalid_grant'));
    await assert.rejects(client.refreshTokenGrant(config, newest), (error) => refused(error, 'invalid_grant'));
  });

  it('runs a public client with PKCE and no client authentication', async () => {
    const config = await todoSpa();
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: SPA_CALLBACK,
      scope: 'read:calendars',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
    });

    const callback = await throughThePages(authorizationUrl, SPA_CALLBACK, 'allow');
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
      idTokenExpected: false,
    });
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.scope, 'read:calendars');
    assert.equal(tokens.id_token, undefined, 'no openid scope, no ID token');
    assert.equal(tokens.claims(), undefined);
    assert.ok(tokens.refresh_token, 'todo-spa may refresh');

    // The access token is an RFC 9068 JWT for the Organizer API.
    const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: server.url,
      audience: ORGANIZER,
      typ: 'at+jwt',
    });
    assert.equal(protectedHeader.typ, 'at+jwt');
    assert.equal(decodeProtectedHeader(tokens.access_token).typ, 'at+jwt');
    assert.equal(payload.aud, ORGANIZER);
    assert.equal(payload.client_id, 'todo-spa');
    assert.equal(payload.scope, 'read:calendars');
    assert.equal(typeof payload.sub, 'string');
  });

  it('surfaces a denied consent as an access_denied authorization response error', async () => {
    const config = await calendarApp();
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid profile email read:calendars',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      // Ask again even if alice consented earlier in this suite.
      prompt: 'consent',
    });

    const callback = await throughThePages(authorizationUrl, CALLBACK, 'deny');
    assert.equal(callback.searchParams.get('code'), null);
    const error = await client
      .authorizationCodeGrant(config, callback, { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true })
      .then(
        () => assert.fail('a denied authorization must not yield tokens'),
        (e: unknown) => e,
      );
    assert.ok(error instanceof client.AuthorizationResponseError, String(error));
    assert.equal(error.error, 'access_denied');
  });
});
