/**
 * Dynamic client registration (RFC 7591) and its management (RFC 7592), black-box:
 * oauth4webapi registers a native app and signs alice in with it through the real
 * pages (authorization code + PKCE, a loopback redirect on another port), then the
 * registration is read, replaced and deleted; and every refusal the issue lists.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import { registrationPolicy } from '../../src/core/registration/registration-policy.js';
import { callbackParams, TestBrowser } from '../support/browser.js';
import { makeFixture, ORGANIZER, SECRETS } from '../support/fixture.js';
import { managementAudience } from '../../src/management/management-api.js';
import { authorize, authorizeUrl, decide, pkce, submitSignIn } from '../support/sign-in.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const NATIVE_REDIRECT = 'http://[::1]/callback';

interface Json {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function call(url: string, method: string, body?: unknown, token?: string): Promise<Json> {
  const response = await fetch(url, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('dynamic client registration (RFC 7591/7592)', () => {
  let server: TestServer;
  let as: oauth.AuthorizationServer;
  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config, registration: registrationPolicy({ enabled: true, maxPerAddress: 1000 }) });
    const issuer = new URL(server.url);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
  });
  after(() => server.close());
  const register = (metadata: Record<string, unknown>, token?: string) => call(`${server.url}/register`, 'POST', metadata, token);

  it('advertises registration_endpoint in both metadata documents', async () => {
    assert.equal(as.registration_endpoint, `${server.url}/register`);
    const oidc = (await call(`${server.url}/.well-known/openid-configuration`, 'GET')).body;
    assert.equal(oidc.registration_endpoint, `${server.url}/register`);
  });

  it('registers a public native app with oauth4webapi and signs a user in with it (code + PKCE, loopback on any port)', async () => {
    const registered = await oauth.processDynamicClientRegistrationResponse(
      await oauth.dynamicClientRegistrationRequest(
        as,
        {
          client_name: 'Notes CLI',
          redirect_uris: [NATIVE_REDIRECT],
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code', 'refresh_token'],
          scope: 'openid read:calendars',
        },
        insecure,
      ),
    );
    assert.match(registered.client_id, /^reg_/);
    assert.equal(registered.client_secret, undefined);
    assert.equal(registered.token_endpoint_auth_method, 'none');
    assert.deepEqual(registered.redirect_uris, [NATIVE_REDIRECT]);
    assert.equal(registered.scope, 'openid read:calendars');
    assert.equal(typeof registered.client_id_issued_at, 'number');
    assert.match(registered.registration_access_token as string, /^tsr_rat_/);
    assert.equal(registered.registration_client_uri, `${server.url}/register/${registered.client_id}`);

    const client: oauth.Client = { client_id: registered.client_id };
    const verifier = oauth.generateRandomCodeVerifier();
    const redirectUri = 'http://[::1]:61234/callback';
    const state = oauth.generateRandomState();
    const browser = new TestBrowser();
    const params = {
      client_id: client.client_id,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'openid read:calendars',
      resource: ORGANIZER,
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    };
    // The consent page says the app is unverified, with its declared name and where it sends the user.
    const signIn = await browser.follow(await browser.get(authorizeUrl(server.url, params)), server.url);
    const consent = await browser.follow(await submitSignIn(browser, signIn, 'alice'), server.url);
    assert.match(consent.html, /Unverified application/);
    assert.match(consent.html, /Notes CLI/);
    assert.match(consent.html, /\[::1\]:61234/);
    const callback = await authorize(browser, server.url, params);
    const validated = oauth.validateAuthResponse(as, client, new URL(`${redirectUri}?${new URLSearchParams(callback)}`), state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), validated, redirectUri, verifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.scope, 'openid read:calendars');
    assert.ok(tokens.refresh_token);
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    assert.equal(claims.aud, ORGANIZER);
    assert.equal(claims.client_id, registered.client_id);

    // Consent is asked again next time: a registered client is never remembered as trusted.
    const again = await browser.follow(await browser.get(authorizeUrl(server.url, { ...params, state: 'two' })), server.url);
    assert.match(again.html, /Allow access\?/);
    // Another port works; another path or host does not.
    const otherPath = await browser.get(authorizeUrl(server.url, { ...params, redirect_uri: 'http://[::1]:61234/other' }));
    assert.equal(otherPath.status, 400);
    const otherHost = await browser.get(authorizeUrl(server.url, { ...params, redirect_uri: 'http://127.0.0.1:61234/callback' }));
    assert.equal(otherHost.status, 400);

    await server.engine.audit.flush();
    const { events } = await server.engine.audit.query({ type: 'client.registered', clientId: registered.client_id });
    assert.ok(events.some((r) => r.clientId === registered.client_id && r.outcome === 'success'));
  });

  it('registers a confidential web app: a secret shown once, stored only as a hash', async () => {
    const res = await register({ client_name: 'Web', redirect_uris: ['https://web.example/cb'], token_endpoint_auth_method: 'client_secret_post' });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const secret = res.body.client_secret as string;
    assert.ok(secret.length >= 43);
    assert.equal(res.body.client_secret_expires_at, 0);
    assert.equal(res.body.token_endpoint_auth_method, 'client_secret_post');
    assert.deepEqual(res.body.grant_types, ['authorization_code']);
    assert.deepEqual(res.body.response_types, ['code']);
    const stored = JSON.stringify(await server.engine.store.getClient(res.body.client_id as string));
    assert.ok(!stored.includes(secret) && !stored.includes(res.body.registration_access_token as string));
  });

  it('reads, replaces and deletes a registration with its registration access token (RFC 7592)', async () => {
    const created = (await register({ client_name: 'Old name', redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'none' })).body;
    const uri = created.registration_client_uri as string;
    const token = created.registration_access_token as string;

    const read = await call(uri, 'GET', undefined, token);
    assert.equal(read.status, 200);
    assert.equal(read.body.client_name, 'Old name');
    assert.equal(read.body.registration_access_token, undefined, 'never shown again');

    const replaced = await call(
      uri,
      'PUT',
      { client_id: created.client_id, client_name: 'New name', redirect_uris: ['https://app.example/cb2'], token_endpoint_auth_method: 'none' },
      token,
    );
    assert.equal(replaced.status, 200);
    assert.equal(replaced.body.client_name, 'New name');
    assert.deepEqual(replaced.body.redirect_uris, ['https://app.example/cb2']);
    assert.equal((await server.engine.store.getClient(created.client_id as string))!.name, 'New name');

    // The same validation as at registration.
    const bad = await call(uri, 'PUT', { client_id: created.client_id, redirect_uris: ['javascript:alert(1)'], token_endpoint_auth_method: 'none' }, token);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error, 'invalid_redirect_uri');
    const serverField = await call(
      uri,
      'PUT',
      { client_id: created.client_id, redirect_uris: ['https://a.example/cb'], registration_access_token: token },
      token,
    );
    assert.equal(serverField.status, 400);

    // Wrong or missing tokens: 401 with an RFC 6750 challenge.
    const wrong = await call(uri, 'GET', undefined, 'tsr_rat_0000000000000000000000000000000000000000000000000');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'invalid_token');
    assert.match(wrong.headers.get('www-authenticate') ?? '', /^Bearer realm="tessera", error="invalid_token"/);
    const missing = await call(uri, 'GET');
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="tessera"');

    const deleted = await call(uri, 'DELETE', undefined, token);
    assert.equal(deleted.status, 204);
    assert.equal(await server.engine.store.getClient(created.client_id as string), undefined);
    assert.equal((await call(uri, 'GET', undefined, token)).status, 401, 'an unknown client answers as a bad token (RFC 7592 §2.1)');
  });

  /** Registers a native app and signs alice in with it: its registration, and the tokens it got. */
  async function registeredAndSignedIn(name: string) {
    const registered = (
      await register({
        client_name: name,
        redirect_uris: [NATIVE_REDIRECT],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        scope: 'openid read:calendars',
      })
    ).body;
    const client: oauth.Client = { client_id: registered.client_id as string };
    const verifier = oauth.generateRandomCodeVerifier();
    const params = {
      client_id: client.client_id,
      response_type: 'code',
      redirect_uri: NATIVE_REDIRECT,
      scope: 'openid read:calendars',
      resource: ORGANIZER,
      state: 's',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    };
    const browser = new TestBrowser();
    await browser.follow(
      await submitSignIn(browser, await browser.follow(await browser.get(authorizeUrl(server.url, params)), server.url), 'alice'),
      server.url,
    );
    const callback = await authorize(browser, server.url, params);
    const validated = oauth.validateAuthResponse(as, client, new URL(`${NATIVE_REDIRECT}?${new URLSearchParams(callback)}`), 's');
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), validated, NATIVE_REDIRECT, verifier, insecure),
    );
    return { registered, client, tokens: { access: tokens.access_token, refresh: tokens.refresh_token! } };
  }
  const introspect = async (token: string) => (await server.post('/introspect', { token }, basic('introspector', SECRETS.introspector))).body.active;
  const aliceConsents = async () => (await server.engine.store.listConsents((await server.engine.store.getUserByUsername('alice'))!.id)).map((c) => c.clientId);

  it("deleting a registration (RFC 7592) revokes the client's access and refresh tokens and users' grants, audited", async () => {
    const { registered, client, tokens } = await registeredAndSignedIn('Doomed CLI');
    assert.equal(await introspect(tokens.access), true);
    assert.equal(await introspect(tokens.refresh), true);
    assert.ok((await aliceConsents()).includes(client.client_id));

    const deleted = await call(registered.registration_client_uri as string, 'DELETE', undefined, registered.registration_access_token as string);
    assert.equal(deleted.status, 204);
    assert.equal(await introspect(tokens.access), false, 'the JWT access token is inactive at introspection');
    assert.equal(await introspect(tokens.refresh), false);
    const refreshed = await server.post('/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh, client_id: client.client_id });
    assert.equal(refreshed.status === 400 || refreshed.status === 401, true);
    assert.ok(!(await aliceConsents()).includes(client.client_id), "alice's grant to it is gone");

    await server.engine.audit.flush();
    const revoked = (await server.engine.audit.query({ type: 'token.revoked', clientId: client.client_id })).events;
    assert.equal(revoked.length, 1);
    assert.deepEqual(
      revoked[0]!.details,
      { clientDeleted: true, via: 'registration', tokens: 1, consents: 1 },
      'the refresh token (the JWT is not stored) and the consent',
    );
    const deletion = (await server.engine.audit.query({ type: 'client.registration_deleted', clientId: client.client_id })).events[0];
    assert.equal(deletion?.details?.tokens, 1);
  });

  it('an administrator deleting a self-registered client revokes its tokens and grants too', async () => {
    const { client, tokens } = await registeredAndSignedIn('Admin-deleted CLI');
    const root = (await server.engine.store.getUserByUsername('root'))!;
    const { token: admin } = await server.engine.credentials.createPersonalAccessToken(root.id, {
      name: 'delete clients',
      api: managementAudience(server.url),
      scopes: ['write:clients', 'read:clients'],
    });
    const res = await fetch(`${server.url}/api/v1/clients/${client.client_id}`, { method: 'DELETE', headers: { authorization: `Bearer ${admin}` } });
    assert.equal(res.status, 204);
    assert.equal(await introspect(tokens.access), false);
    assert.equal(await introspect(tokens.refresh), false);
    assert.ok(!(await aliceConsents()).includes(client.client_id));
    await server.engine.audit.flush();
    const revoked = (await server.engine.audit.query({ type: 'token.revoked', clientId: client.client_id })).events;
    assert.equal(revoked[0]?.details?.via, 'management');
    assert.match(revoked[0]?.actor?.id ?? '', new RegExp(`^${root.id}`));
  });

  it('registers an MCP desktop client with a plain private-use scheme (Cursor) and signs a user in with it', async () => {
    const redirectUri = 'cursor://anysphere.cursor-retrieval/oauth/callback';
    const res = await register({ client_name: 'Cursor', redirect_uris: [redirectUri, 'vscode://vscode.mcp/callback'], token_endpoint_auth_method: 'none' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const clientId = res.body.client_id as string;
    const { verifier, challenge } = pkce();
    const params = {
      client_id: clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'read:calendars',
      resource: ORGANIZER,
      state: 'st',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    const browser = new TestBrowser();
    const signIn = await browser.follow(await browser.get(authorizeUrl(server.url, params)), server.url);
    const consent = await browser.follow(await submitSignIn(browser, signIn, 'alice'), server.url);
    assert.match(consent.html, /Unverified application/);
    // The scheme names the app: its host alone would read as a web site.
    assert.match(consent.html, /go back to <strong>cursor:\/\/anysphere\.cursor-retrieval<\/strong>/);
    // The browser may follow the form's redirect to the app's scheme (CSP form-action; its origin is "null").
    assert.match(consent.headers.get('content-security-policy') ?? '', /form-action 'self' cursor:(;|$)/);
    const done = await decide(browser, consent, 'allow');
    assert.equal(done.status, 303);
    assert.ok(done.location!.startsWith(`${redirectUri}?`), done.location);
    const code = callbackParams(done.location!).code!;
    const tokens = await server.post('/token', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: clientId,
      code_verifier: verifier,
    });
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
  });

  it("shows a self-registered client's declared name safely: escaped, isolated, shortened, never with bidirectional overrides", async () => {
    const rtl = await register({ client_name: 'Safe App\u202Egnp.exe', redirect_uris: ['https://a.example/cb'], token_endpoint_auth_method: 'none' });
    assert.equal(rtl.status, 400);
    assert.equal(rtl.body.error, 'invalid_client_metadata');

    const name = `<img src=x onerror=alert(1)>"Organizer" (verified) ${'x'.repeat(120)}`;
    const res = await register({ client_name: name, redirect_uris: ['https://evil.example/cb'], token_endpoint_auth_method: 'none' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const { challenge } = pkce();
    const params = {
      client_id: res.body.client_id as string,
      response_type: 'code',
      redirect_uri: 'https://evil.example/cb',
      scope: 'read:calendars',
      resource: ORGANIZER,
      state: 'st',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    const browser = new TestBrowser();
    const signIn = await browser.follow(await browser.get(authorizeUrl(server.url, params)), server.url);
    assert.doesNotMatch(signIn.html, /<img/);
    const consent = await browser.follow(await submitSignIn(browser, signIn, 'alice'), server.url);
    assert.doesNotMatch(consent.html, /<img/);
    assert.match(consent.html, /<bdi class="app-name">&lt;img src=x onerror=alert\(1\)&gt;&quot;Organizer&quot; \(verified\) x+…<\/bdi>/);
    assert.doesNotMatch(consent.html, /x{100}/, 'a long name is cut');
    assert.match(consent.html, /Unverified application/);
    assert.match(consent.html, /go back to <strong>evil\.example<\/strong>/);
  });

  it('refuses bad metadata with RFC 7591 errors', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ redirect_uris: ['javascript:alert(1)'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['data:text/html,hi'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['http://evil.example/cb'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['https://a.example/cb#frag'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['file:///etc/passwd'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['ms-msdt:/id PCWDiagnostic'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['web+app://cb'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['https-login://evil.example/cb'] }, 'invalid_redirect_uri'],
      [{ grant_types: ['authorization_code'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['https://a.example/cb'], grant_types: ['client_credentials'] }, 'invalid_client_metadata'],
      [{ redirect_uris: ['https://a.example/cb'], response_types: ['token'] }, 'invalid_client_metadata'],
      [{ redirect_uris: ['https://a.example/cb'], scope: 'read:calendars delete:everything' }, 'invalid_client_metadata'],
      [{ redirect_uris: ['https://a.example/cb'], token_endpoint_auth_method: 'private_key_jwt' }, 'invalid_client_metadata'],
      [{ redirect_uris: ['https://a.example/cb'], logo_uri: 'javascript:alert(1)' }, 'invalid_client_metadata'],
      [{ redirect_uris: 'https://a.example/cb' }, 'invalid_redirect_uri'],
    ];
    for (const [metadata, error] of cases) {
      const res = await register(metadata);
      assert.equal(res.status, 400, JSON.stringify(metadata));
      assert.equal(res.body.error, error, JSON.stringify(metadata));
      assert.equal(typeof res.body.error_description, 'string');
    }
    // Never the management API, whatever the scope asked.
    const admin = await register({ redirect_uris: ['https://a.example/cb'], scope: 'write:users' });
    assert.equal(admin.body.error, 'invalid_client_metadata');
    const notJson = await fetch(`${server.url}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'client_name=x',
    });
    assert.equal(notJson.status, 400);
  });

  it('ignores metadata it does not know, and grants every allowed scope when none is asked', async () => {
    const res = await register({ redirect_uris: ['https://a.example/cb'], token_endpoint_auth_method: 'none', frobnicate: true });
    assert.equal(res.status, 201);
    assert.equal(res.body.frobnicate, undefined);
    const scopes = (res.body.scope as string).split(' ');
    assert.ok(scopes.includes('openid') && scopes.includes('read:calendars') && scopes.includes('geocode'));
    assert.ok(!scopes.some((s) => s.startsWith('write:users')));
  });
});

describe('dynamic client registration: closed, tokens and throttle', () => {
  it('answers 404 when registration is not enabled, and advertises nothing', async () => {
    const server = await startTestServer();
    try {
      const res = await call(`${server.url}/register`, 'POST', { redirect_uris: ['https://a.example/cb'] });
      assert.equal(res.status, 404);
      assert.equal((await call(`${server.url}/register/reg_x`, 'GET', undefined, 'x')).status, 404);
      const metadata = (await call(`${server.url}/.well-known/oauth-authorization-server`, 'GET')).body;
      assert.equal(metadata.registration_endpoint, undefined);
    } finally {
      await server.close();
    }
  });

  it('takes only reverse-domain private-use schemes with privateUseSchemes: reverse-domain', async () => {
    const server = await startTestServer({ registration: registrationPolicy({ enabled: true, privateUseSchemes: 'reverse-domain' }) });
    try {
      const cursor = await call(`${server.url}/register`, 'POST', {
        redirect_uris: ['cursor://anysphere.cursor-retrieval/oauth/callback'],
        token_endpoint_auth_method: 'none',
      });
      assert.equal(cursor.status, 400);
      assert.equal(cursor.body.error, 'invalid_redirect_uri');
      const reverse = await call(`${server.url}/register`, 'POST', { redirect_uris: ['com.example.notes:/callback'], token_endpoint_auth_method: 'none' });
      assert.equal(reverse.status, 201, JSON.stringify(reverse.body));
    } finally {
      await server.close();
    }
  });

  it('requires a valid initial access token when configured so; single-use tokens work once', async () => {
    const server = await startTestServer({ registration: registrationPolicy({ enabled: true, initialAccessToken: 'required' }) });
    try {
      const metadata = { redirect_uris: ['https://a.example/cb'], token_endpoint_auth_method: 'none' };
      const missing = await call(`${server.url}/register`, 'POST', metadata);
      assert.equal(missing.status, 401);
      assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="tessera"');
      const invalid = await call(`${server.url}/register`, 'POST', metadata, 'tsr_iat_nonsense');
      assert.equal(invalid.status, 401);
      assert.equal(invalid.body.error, 'invalid_token');
      assert.match(invalid.headers.get('www-authenticate') ?? '', /error="invalid_token"/);

      const { token, info } = await server.engine.initialAccessTokens.create({ name: 'partner', singleUse: true });
      assert.match(token, /^tsr_iat_/);
      const first = await call(`${server.url}/register`, 'POST', metadata, token);
      assert.equal(first.status, 201);
      const client = await server.engine.store.getClient(first.body.client_id as string);
      assert.equal(client?.registration?.initialAccessTokenId, info.id);
      const second = await call(`${server.url}/register`, 'POST', metadata, token);
      assert.equal(second.status, 401);
      assert.equal((await server.engine.initialAccessTokens.list())[0]?.status, 'used');

      // oauth4webapi's initialAccessToken option, with a reusable token that is then revoked.
      const reusable = await server.engine.initialAccessTokens.create({ name: 'reusable' });
      const issuer = new URL(server.url);
      const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
      const ok = await oauth.processDynamicClientRegistrationResponse(
        await oauth.dynamicClientRegistrationRequest(as, metadata, { ...insecure, initialAccessToken: reusable.token }),
      );
      assert.ok(ok.client_id);
      assert.equal(await server.engine.initialAccessTokens.revoke(reusable.info.id), true);
      assert.equal((await call(`${server.url}/register`, 'POST', metadata, reusable.token)).status, 401);
    } finally {
      await server.close();
    }
  });

  it('throttles registrations per address with 429 and Retry-After', async () => {
    const server = await startTestServer({ registration: registrationPolicy({ enabled: true, maxPerAddress: 3 }) });
    try {
      const metadata = { redirect_uris: ['https://a.example/cb'], token_endpoint_auth_method: 'none' };
      for (let i = 0; i < 3; i++) assert.equal((await call(`${server.url}/register`, 'POST', metadata)).status, 201);
      const refused = await call(`${server.url}/register`, 'POST', metadata);
      assert.equal(refused.status, 429);
      assert.equal(refused.body.error, 'temporarily_unavailable');
      assert.ok(Number(refused.headers.get('retry-after')) > 0);
    } finally {
      await server.close();
    }
  });
});
