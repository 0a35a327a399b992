/**
 * Interop: oauth4webapi pushes authorization requests (RFC 9126), signed or not (RFC
 * 9101 request objects), to a running Tessera and completes the authorization code
 * flow through the real pages; then every refusal: a request_uri reused, used by
 * another client, expired; clients (or the whole server) that demand pushed requests;
 * request objects signed by another key, unsigned, or for another audience.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import * as oauth from 'oauth4webapi';
import { FrozenClock } from '../../src/core/clock.js';
import { TestBrowser } from '../support/browser.js';
import { CALLBACK, makeFixture, SECRETS } from '../support/fixture.js';
import { authorize } from '../support/sign-in.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const PAR_ONLY_SECRET = 'par-only-secret-0123456789';

const jarKeys = await generateKeyPair('ES256', { extractable: true });
const strangerKeys = await generateKeyPair('ES256');

async function parFixture() {
  const fixture = await makeFixture();
  const clients = fixture.config.clients as Record<string, unknown>[];
  clients.push({
    clientId: 'jar-app',
    name: 'JAR app',
    tokenEndpointAuthMethod: 'private_key_jwt',
    jwks: { keys: [{ ...(await exportJWK(jarKeys.publicKey)), kid: 'jar-1', alg: 'ES256', use: 'sig' }] },
    grantTypes: ['authorization_code'],
    redirectUris: [CALLBACK],
  });
  clients.push({
    clientId: 'par-only',
    name: 'PAR only',
    secrets: [PAR_ONLY_SECRET],
    grantTypes: ['authorization_code'],
    redirectUris: [CALLBACK],
    requirePushedAuthorizationRequests: true,
  });
  return fixture;
}

async function discover(server: TestServer): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(server.url);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { [oauth.allowInsecureRequests]: true }));
}

describe('interop: oauth4webapi pushes authorization requests', () => {
  let server: TestServer;
  let as: oauth.AuthorizationServer;
  const clock = new FrozenClock(Math.floor(Date.now() / 1000));
  const calendar: oauth.Client = { client_id: 'calendar-app' };
  const calendarAuth = oauth.ClientSecretBasic(SECRETS.calendar);

  before(async () => {
    server = await startTestServer({ config: (await parFixture()).config, clock });
    as = await discover(server);
  });
  after(() => server.close());

  async function push(client: oauth.Client, auth: oauth.ClientAuth, extra: Record<string, string> = {}) {
    const verifier = oauth.generateRandomCodeVerifier();
    const params = {
      redirect_uri: CALLBACK,
      response_type: 'code',
      scope: 'openid profile',
      state: 'par-state',
      nonce: 'par-nonce',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...extra,
    };
    const response = await oauth.pushedAuthorizationRequest(as, client, auth, params, { [oauth.allowInsecureRequests]: true });
    return { verifier, response };
  }

  const authorizeAt = (clientId: string, requestUri: string) => ({ client_id: clientId, request_uri: requestUri });

  it('advertises the endpoint and whether pushing is required', () => {
    assert.equal(as.pushed_authorization_request_endpoint, `${server.url}/par`);
    assert.equal(as.require_pushed_authorization_requests, false);
  });

  it('runs PAR + authorization code end to end', async () => {
    const { verifier, response } = await push(calendar, calendarAuth);
    assert.equal(response.status, 201);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const pushed = await oauth.processPushedAuthorizationResponse(as, calendar, response);
    assert.match(pushed.request_uri, /^urn:ietf:params:oauth:request_uri:[\w-]{43}$/);
    assert.equal(pushed.expires_in, 60);
    const callback = await authorize(new TestBrowser(), server.url, authorizeAt('calendar-app', pushed.request_uri));
    const params = oauth.validateAuthResponse(as, calendar, new URLSearchParams(callback), 'par-state');
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      calendar,
      await oauth.authorizationCodeGrantRequest(as, calendar, calendarAuth, params, CALLBACK, verifier, { [oauth.allowInsecureRequests]: true }),
      { expectedNonce: 'par-nonce', requireIdToken: true },
    );
    assert.equal(oauth.getValidatedIdTokenClaims(tokens)!.aud, 'calendar-app');
  });

  it('checks the pushed request as /authorize would, answering RFC 6749 JSON', async () => {
    const wrongRedirect = await push(calendar, calendarAuth, { redirect_uri: 'https://evil.test/cb' });
    assert.equal(wrongRedirect.response.status, 400);
    assert.equal(((await wrongRedirect.response.json()) as { error: string }).error, 'invalid_request');
    const badScope = await push(calendar, calendarAuth, { response_type: 'token' });
    assert.equal(((await badScope.response.json()) as { error: string }).error, 'unsupported_response_type');
    const nested = await push(calendar, calendarAuth, { request_uri: 'urn:ietf:params:oauth:request_uri:x' });
    assert.equal(((await nested.response.json()) as { error: string }).error, 'invalid_request');
    const unauthenticated = await push(calendar, oauth.ClientSecretBasic('wrong-secret-0123456789'));
    assert.equal(unauthenticated.response.status, 401);
  });

  it('uses a request_uri once only', async () => {
    const { response } = await push(calendar, calendarAuth);
    const { request_uri } = await oauth.processPushedAuthorizationResponse(as, calendar, response);
    const browser = new TestBrowser();
    await authorize(browser, server.url, authorizeAt('calendar-app', request_uri));
    const again = await browser.get(`${server.url}/authorize?${new URLSearchParams(authorizeAt('calendar-app', request_uri))}`);
    assert.equal(again.status, 400);
    assert.match(again.html, /already been used/);
  });

  it('refuses a request_uri presented by another client, without using it up', async () => {
    const { response } = await push(calendar, calendarAuth);
    const { request_uri } = await oauth.processPushedAuthorizationResponse(as, calendar, response);
    const browser = new TestBrowser();
    const stolen = await browser.get(`${server.url}/authorize?${new URLSearchParams(authorizeAt('par-only', request_uri))}`);
    assert.equal(stolen.status, 400);
    assert.match(stolen.html, /another client/);
    const callback = await authorize(browser, server.url, authorizeAt('calendar-app', request_uri));
    assert.ok(callback.code);
  });

  it('refuses an unknown request_uri', async () => {
    const page = await new TestBrowser().get(
      `${server.url}/authorize?${new URLSearchParams(authorizeAt('calendar-app', 'urn:ietf:params:oauth:request_uri:nope'))}`,
    );
    assert.equal(page.status, 400);
  });

  it('enforces requirePushedAuthorizationRequests per client', async () => {
    const parOnly: oauth.Client = { client_id: 'par-only' };
    const direct = await new TestBrowser().get(
      `${server.url}/authorize?${new URLSearchParams({ client_id: 'par-only', response_type: 'code', redirect_uri: CALLBACK, scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' })}`,
    );
    assert.equal(direct.status, 400);
    assert.match(direct.html, /must push its authorization requests/);
    const { response } = await push(parOnly, oauth.ClientSecretBasic(PAR_ONLY_SECRET));
    const { request_uri } = await oauth.processPushedAuthorizationResponse(as, parOnly, response);
    const callback = await authorize(new TestBrowser(), server.url, authorizeAt('par-only', request_uri));
    assert.ok(callback.code);
  });

  const jar: oauth.Client = { client_id: 'jar-app' };
  const jarKey = (key: CryptoKey = jarKeys.privateKey): oauth.PrivateKey => ({ key, kid: 'jar-1' });
  const jarAuth = oauth.PrivateKeyJwt(jarKey());
  const jarParams = async (verifier: string) => ({
    redirect_uri: CALLBACK,
    response_type: 'code',
    scope: 'openid',
    state: 'jar-state',
    nonce: 'jar-nonce',
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const pageFor = (params: Record<string, string>) => new TestBrowser().get(`${server.url}/authorize?${new URLSearchParams(params)}`);

  it('advertises signed request objects, and no request_uri by reference', () => {
    assert.equal(as.request_parameter_supported, true);
    assert.equal(as.request_uri_parameter_supported, false);
    assert.ok((as.request_object_signing_alg_values_supported as string[]).includes('ES256'));
    assert.ok(!(as.request_object_signing_alg_values_supported as string[]).includes('none'));
  });

  it('runs PAR + JAR (a signed request object, private_key_jwt) end to end', async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const request = await oauth.issueRequestObject(as, jar, await jarParams(verifier), jarKey());
    const response = await oauth.pushedAuthorizationRequest(as, jar, jarAuth, { request }, { [oauth.allowInsecureRequests]: true });
    assert.equal(response.status, 201, await response.clone().text());
    const { request_uri } = await oauth.processPushedAuthorizationResponse(as, jar, response);
    const callback = await authorize(new TestBrowser(), server.url, authorizeAt('jar-app', request_uri));
    const params = oauth.validateAuthResponse(as, jar, new URLSearchParams(callback), 'jar-state');
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      jar,
      await oauth.authorizationCodeGrantRequest(as, jar, jarAuth, params, CALLBACK, verifier, { [oauth.allowInsecureRequests]: true }),
      { expectedNonce: 'jar-nonce', requireIdToken: true },
    );
    assert.equal(oauth.getValidatedIdTokenClaims(tokens)!.nonce, 'jar-nonce');
  });

  it('takes a request object at /authorize, whose parameters replace the outer ones', async () => {
    const request = await oauth.issueRequestObject(as, jar, await jarParams(oauth.generateRandomCodeVerifier()), jarKey());
    const callback = await authorize(new TestBrowser(), server.url, {
      client_id: 'jar-app',
      request,
      state: 'outer-state',
      redirect_uri: 'https://evil.test/cb',
    });
    assert.equal(callback.state, 'jar-state');
    assert.ok(callback.code);
  });

  it('refuses a request object signed by another key, at /par and at /authorize', async () => {
    const forged = await oauth.issueRequestObject(as, jar, await jarParams('v'.repeat(43)), jarKey(strangerKeys.privateKey));
    const pushed = await oauth.pushedAuthorizationRequest(as, jar, jarAuth, { request: forged }, { [oauth.allowInsecureRequests]: true });
    assert.equal(pushed.status, 400);
    assert.equal(((await pushed.json()) as { error: string }).error, 'invalid_request_object');
    const page = await pageFor({ client_id: 'jar-app', request: forged });
    assert.equal(page.status, 400);
    assert.match(page.html, /invalid_request_object/);
  });

  it('refuses an unsigned (alg none) request object', async () => {
    const now = clock.now();
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = { ...(await jarParams('v'.repeat(43))), iss: 'jar-app', aud: server.url, client_id: 'jar-app', iat: now, exp: now + 60 };
    const unsigned = `${encode({ alg: 'none', typ: 'oauth-authz-req+jwt' })}.${encode(claims)}.`;
    const pushed = await oauth.pushedAuthorizationRequest(as, jar, jarAuth, { request: unsigned }, { [oauth.allowInsecureRequests]: true });
    assert.equal(((await pushed.json()) as { error: string }).error, 'invalid_request_object');
    const page = await pageFor({ client_id: 'jar-app', request: unsigned });
    assert.equal(page.status, 400);
  });

  it('refuses a request object for another audience, or from a client without keys', async () => {
    const elsewhere = await oauth.issueRequestObject({ ...as, issuer: 'https://other.test' }, jar, await jarParams('v'.repeat(43)), jarKey());
    assert.match((await pageFor({ client_id: 'jar-app', request: elsewhere })).html, /invalid_request_object/);
    const keyless = await oauth.issueRequestObject(as, calendar, await jarParams('v'.repeat(43)), jarKey());
    assert.match((await pageFor({ client_id: 'calendar-app', request: keyless })).html, /no registered keys/);
  });

  /** A DPoP handle whose proofs follow the server's frozen clock. */
  const dpopOf = (keys: Awaited<ReturnType<typeof oauth.generateKeyPair>>) =>
    oauth.DPoP({ ...calendar, [oauth.clockSkew]: clock.now() - Math.floor(Date.now() / 1000) }, keys);
  /** Pushes with `options` (a DPoP handle), signs in, and answers the callback parameters and the PKCE verifier. */
  async function pushAndSignIn(extra: Record<string, string>, options: oauth.PushedAuthorizationRequestOptions = {}) {
    const verifier = oauth.generateRandomCodeVerifier();
    const params = {
      redirect_uri: CALLBACK,
      response_type: 'code',
      scope: 'openid',
      state: 'dpop-state',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...extra,
    };
    const response = await oauth.pushedAuthorizationRequest(as, calendar, calendarAuth, params, { [oauth.allowInsecureRequests]: true, ...options });
    const { request_uri } = await oauth.processPushedAuthorizationResponse(as, calendar, response);
    const callback = await authorize(new TestBrowser(), server.url, authorizeAt('calendar-app', request_uri));
    return { verifier, params: oauth.validateAuthResponse(as, calendar, new URLSearchParams(callback), 'dpop-state') };
  }
  const redeem = (params: URLSearchParams, verifier: string, dpop?: oauth.DPoPHandle) =>
    oauth.authorizationCodeGrantRequest(as, calendar, calendarAuth, params, CALLBACK, verifier, {
      [oauth.allowInsecureRequests]: true,
      ...(dpop ? { DPoP: dpop } : {}),
    });

  it('binds the code to the key of a DPoP proof sent with the push (RFC 9449 §10.1)', async () => {
    const keys = await oauth.generateKeyPair('ES256');
    const { verifier, params } = await pushAndSignIn({}, { DPoP: dpopOf(keys) });
    const unproven = await redeem(params, verifier);
    assert.equal(unproven.status, 400);
    assert.equal(((await unproven.json()) as { error: string }).error, 'invalid_grant');

    const again = await pushAndSignIn({}, { DPoP: dpopOf(keys) });
    const otherKey = await redeem(again.params, again.verifier, dpopOf(await oauth.generateKeyPair('ES256')));
    assert.equal(((await otherKey.json()) as { error: string }).error, 'invalid_grant');

    const third = await pushAndSignIn({}, { DPoP: dpopOf(keys) });
    const tokens = await oauth.processAuthorizationCodeResponse(as, calendar, await redeem(third.params, third.verifier, dpopOf(keys)));
    assert.equal(tokens.token_type, 'dpop');
  });

  it('takes dpop_jkt in a pushed request, and refuses one that names another key than the proof', async () => {
    const keys = await oauth.generateKeyPair('ES256');
    const dpop = dpopOf(keys);
    const { verifier, params } = await pushAndSignIn({ dpop_jkt: await dpop.calculateThumbprint() });
    assert.equal((await redeem(params, verifier)).status, 400, 'the pushed dpop_jkt binds the code');
    const second = await pushAndSignIn({ dpop_jkt: await dpop.calculateThumbprint() });
    const tokens = await oauth.processAuthorizationCodeResponse(as, calendar, await redeem(second.params, second.verifier, dpop));
    assert.equal(tokens.token_type, 'dpop');

    const other = await dpopOf(await oauth.generateKeyPair('ES256')).calculateThumbprint();
    const mismatch = await oauth.pushedAuthorizationRequest(
      as,
      calendar,
      calendarAuth,
      { redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', code_challenge: 'c'.repeat(43), code_challenge_method: 'S256', dpop_jkt: other },
      { [oauth.allowInsecureRequests]: true, DPoP: dpopOf(keys) },
    );
    assert.equal(mismatch.status, 400);
    assert.equal(((await mismatch.json()) as { error: string }).error, 'invalid_dpop_proof');
  });

  // Last: it moves the clock.
  it('refuses an expired request_uri', async () => {
    const { response } = await push(calendar, calendarAuth);
    const { request_uri, expires_in } = await oauth.processPushedAuthorizationResponse(as, calendar, response);
    clock.advance(expires_in + 1);
    const page = await new TestBrowser().get(`${server.url}/authorize?${new URLSearchParams(authorizeAt('calendar-app', request_uri))}`);
    assert.equal(page.status, 400);
    assert.match(page.html, /unknown or expired/);
  });
});

describe('interop: a server that requires pushed authorization requests', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config, pushedRequests: { required: true, ttl: 30 } });
  });
  after(() => server.close());

  it('advertises it, refuses direct requests and accepts pushed ones', async () => {
    const as = await discover(server);
    assert.equal(as.require_pushed_authorization_requests, true);
    const direct = await new TestBrowser().get(
      `${server.url}/authorize?${new URLSearchParams({ client_id: 'calendar-app', response_type: 'code', redirect_uri: CALLBACK, scope: 'openid' })}`,
    );
    assert.equal(direct.status, 400);
    const calendar: oauth.Client = { client_id: 'calendar-app' };
    const response = await oauth.pushedAuthorizationRequest(
      as,
      calendar,
      oauth.ClientSecretBasic(SECRETS.calendar),
      { redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', state: 's' },
      { [oauth.allowInsecureRequests]: true },
    );
    const pushed = await oauth.processPushedAuthorizationResponse(as, calendar, response);
    assert.equal(pushed.expires_in, 30);
    const callback = await authorize(new TestBrowser(), server.url, { client_id: 'calendar-app', request_uri: pushed.request_uri });
    assert.ok(callback.code);
  });
});
