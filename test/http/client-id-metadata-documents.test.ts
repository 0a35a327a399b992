/**
 * Client ID metadata documents, black-box: a client_id that is an https URL is fetched
 * (from a loopback https server, with the setting that allows it and the test CA),
 * checked, cached, and signs a user in through the real pages as an unverified
 * third-party client; every refusal is an error page at /authorize, never a redirect.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { FrozenClock } from '../../src/core/clock.js';
import { createSafeFetcher } from '../../src/server/safe-fetch.js';
import { TestBrowser, callbackParams, readForm } from '../support/browser.js';
import { makeFixture, ORGANIZER } from '../support/fixture.js';
import { startHttpsDocuments, TEST_CA, type HttpsDocuments } from '../support/https-documents.js';
import { authorizeUrl, pkce, submitSignIn } from '../support/sign-in.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const CALLBACK = 'http://127.0.0.1:7777/callback';

describe('client ID metadata documents', () => {
  let docs: HttpsDocuments;
  let server: TestServer;
  const clock = new FrozenClock();
  let clientId: string;

  const document = (extra: Record<string, unknown> = {}) => ({
    client_id: clientId,
    client_name: 'Calendar Agent',
    redirect_uris: [CALLBACK],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'none',
    ...extra,
  });

  before(async () => {
    docs = await startHttpsDocuments();
    clientId = `${docs.origin}/agent/client.json`;
    docs.documents.set('/agent/client.json', { body: document(), headers: { 'cache-control': 'max-age=300' } });
    server = await startTestServer({
      config: (await makeFixture()).config,
      clock,
      clientMetadataDocuments: { fetcher: createSafeFetcher({ allowPrivateAddresses: true, ca: TEST_CA }) },
    });
  });
  after(async () => {
    await server.close();
    await docs.close();
  });

  const params = (id: string, challenge: string, extra: Record<string, string> = {}) => ({
    client_id: id,
    response_type: 'code',
    redirect_uri: CALLBACK,
    scope: 'read:calendars',
    resource: ORGANIZER,
    state: 's1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });

  it('is advertised in the metadata', async () => {
    const metadata = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    assert.equal(metadata.client_id_metadata_document_supported, true);
  });

  it('signs a user in: consent marked unverified with the declared name and redirect host, then a token for the URL client', async () => {
    const browser = new TestBrowser();
    const { verifier, challenge } = pkce();
    let page = await browser.follow(await browser.get(authorizeUrl(server.url, params(clientId, challenge))), server.url);
    page = await browser.follow(await submitSignIn(browser, page, 'alice'), server.url);
    assert.match(page.html, /Allow access\?/);
    assert.match(page.html, /Unverified app/);
    assert.match(page.html, /<strong><bdi class="app-name">Calendar Agent<\/bdi><\/strong>/);
    assert.match(page.html, /127\.0\.0\.1:7777/);
    const form = readForm(page.html);
    page = await browser.post(form.action, { ...form.fields, decision: 'allow' });
    const callback = callbackParams(page.location!);
    assert.equal(callback.state, 's1');
    const token = await server.post('/token', {
      grant_type: 'authorization_code',
      code: callback.code!,
      redirect_uri: CALLBACK,
      client_id: clientId,
      code_verifier: verifier,
    });
    assert.equal(token.status, 200, JSON.stringify(token.body));
    const claims = JSON.parse(Buffer.from(String(token.body.access_token).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    assert.equal(claims.client_id, clientId);
    assert.equal(claims.aud, ORGANIZER);
    assert.equal(claims.scope, 'read:calendars');
    assert.ok(token.body.refresh_token, 'refresh_token was in its grant_types');

    // Asked again every time, though the user allowed it once.
    const again = await browser.follow(await browser.get(authorizeUrl(server.url, params(clientId, pkce().challenge))), server.url);
    assert.match(again.html, /Unverified app/);
    assert.equal(docs.hits.get('/agent/client.json'), 1, 'served from the cache within max-age');
  });

  it('fetches the document again once its max-age has passed', async () => {
    const before = docs.hits.get('/agent/client.json') ?? 0;
    clock.advance(301);
    const page = await new TestBrowser().get(authorizeUrl(server.url, params(clientId, pkce().challenge)));
    assert.equal(page.status, 303, page.html.slice(0, 300));
    assert.equal(docs.hits.get('/agent/client.json'), before + 1);
  });

  it('takes private_key_jwt with keys from its jwks_uri (fetched the same safe way), and refreshes', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const id = `${docs.origin}/signed/client.json`;
    docs.documents.set('/signed/jwks.json', { body: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] } });
    docs.documents.set('/signed/client.json', {
      body: { ...document(), client_id: id, token_endpoint_auth_method: 'private_key_jwt', jwks_uri: `${docs.origin}/signed/jwks.json` },
    });
    const browser = new TestBrowser();
    const { verifier, challenge } = pkce();
    let page = await browser.follow(await browser.get(authorizeUrl(server.url, params(id, challenge))), server.url);
    page = await browser.follow(await submitSignIn(browser, page, 'alice'), server.url);
    const form = readForm(page.html);
    page = await browser.post(form.action, { ...form.fields, decision: 'allow' });
    const { code } = callbackParams(page.location!);
    const assertion = (jti: string) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer(id)
        .setSubject(id)
        .setAudience(server.url)
        .setJti(jti)
        .setIssuedAt(clock.now())
        .setExpirationTime(clock.now() + 60)
        .sign(privateKey);
    const jwtBearer = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
    const withoutAssertion = await server.post('/token', {
      grant_type: 'authorization_code',
      code: code!,
      redirect_uri: CALLBACK,
      client_id: id,
      code_verifier: verifier,
    });
    assert.equal(withoutAssertion.status, 401);
    assert.equal(withoutAssertion.body.error, 'invalid_client');
    // The failed attempt above does not spend the code: only authenticated clients get that far.
    const token = await server.post('/token', {
      grant_type: 'authorization_code',
      code: code!,
      redirect_uri: CALLBACK,
      code_verifier: verifier,
      client_assertion_type: jwtBearer,
      client_assertion: await assertion('a1'),
    });
    assert.equal(token.status, 200, JSON.stringify(token.body));
    const refreshed = await server.post('/token', {
      grant_type: 'refresh_token',
      refresh_token: String(token.body.refresh_token),
      client_assertion_type: jwtBearer,
      client_assertion: await assertion('a2'),
    });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
  });

  async function refused(path: string, body: Record<string, unknown> | undefined, message: RegExp, extra: Record<string, string> = {}): Promise<void> {
    const id = `${docs.origin}${path}`;
    if (body) docs.documents.set(path, { body: { ...document(), client_id: id, ...body } });
    const page = await new TestBrowser().get(authorizeUrl(server.url, params(id, pkce().challenge, extra)));
    assert.equal(page.status, 400, page.html.slice(0, 300));
    assert.equal(page.location, undefined, 'never redirected');
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(page.html, message);
  }

  it('refuses documents that do not describe the URL exactly, or a client that could keep a secret', async () => {
    await refused('/wrong-id.json', { client_id: 'https://elsewhere.test/client.json' }, /its client_id is not the URL it was fetched from/);
    await refused('/secret.json', { client_secret: 'shh-it-is-a-secret' }, /must not contain a client_secret/);
    await refused('/basic.json', { token_endpoint_auth_method: 'client_secret_basic' }, /token_endpoint_auth_method must be none or private_key_jwt/);
    await refused('/jwt-without-keys.json', { token_endpoint_auth_method: 'private_key_jwt' }, /private_key_jwt needs a jwks_uri/);
    await refused('/js.json', { redirect_uris: ['javascript:alert(1)'] }, /redirect URIs may not use javascript:/);
    await refused('/other-redirect.json', { redirect_uris: ['http://127.0.0.1:7777/other'] }, /redirect_uri is not registered/);
    await refused('/absent.json', undefined, /could not be fetched: it answered with HTTP 404/);
    await refused('/dots/../x.json', undefined, /must not contain dot path segments/);
    await server.engine.audit.flush();
    const { events } = await server.engine.audit.query({ type: 'client.metadata_document_fetched' });
    assert.ok(events.some((e) => e.outcome === 'success' && e.clientId === clientId && e.details?.name === 'Calendar Agent'));
    assert.ok(events.some((e) => e.outcome === 'failure' && e.clientId === `${docs.origin}/secret.json` && /client_secret/.test(e.reason ?? '')));
  });

  it('refuses private addresses unless the setting allows them', async () => {
    const strict = await startTestServer({ config: (await makeFixture()).config, clientMetadataDocuments: { fetcher: createSafeFetcher({ ca: TEST_CA }) } });
    try {
      const page = await new TestBrowser().get(authorizeUrl(strict.url, params(clientId, pkce().challenge)));
      assert.equal(page.status, 400);
      assert.equal(page.location, undefined);
      assert.match(page.html, /resolves to a private or reserved address/);
    } finally {
      await strict.close();
    }
  });

  it('is off by default: a URL client_id is just an unknown client', async () => {
    const plain = await startTestServer({ config: (await makeFixture()).config });
    try {
      const metadata = (await (await fetch(`${plain.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
      assert.equal(metadata.client_id_metadata_document_supported, undefined);
      const before = docs.hits.get('/agent/client.json');
      const page = await new TestBrowser().get(authorizeUrl(plain.url, params(clientId, pkce().challenge)));
      assert.equal(page.status, 400);
      assert.match(page.html, /unknown client_id/);
      assert.equal(docs.hits.get('/agent/client.json'), before, 'nothing fetched');
    } finally {
      await plain.close();
    }
  });
});
