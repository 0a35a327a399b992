/**
 * Sign-in through a plain OAuth 2 provider shaped like GitHub (no ID token: a userinfo
 * URL and a JSON mapping), and what APIs receive: mapped claims in JWT access tokens
 * and in introspection, reserved claims refused, APIs without a mapping unchanged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { validateConfig } from '../../src/core/config/load.js';
import { ConfigError } from '../../src/core/errors.js';
import { callbackParams, readForm, TestBrowser } from '../support/browser.js';
import { authorizeUrl, pkce } from '../support/sign-in.js';
import { startGithubLike, type GithubLike } from '../support/github-like.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';
import { openAndFollow, providerLink } from '../support/upstream-flow.js';

const JWT_API = 'https://api.tasks.test';
const REF_API = 'https://api.billing.test';
const PLAIN_API = 'https://api.plain.test';
const CALLBACK = 'https://app.test/callback';
const SECRET = 'tasks-app-secret-0123456789';
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('upstream OAuth 2 provider (GitHub-shaped) and claims in tokens', () => {
  let server: TestServer;
  let gh: GithubLike;

  before(async () => {
    server = await startTestServer();
    gh = await startGithubLike();
    const claims = { roles: 'user.roles', tenant: 'user.attributes.tenant', login: 'user.attributes.githubLogin', perms: 'user.permissions' };
    const config = {
      apis: [
        { identifier: JWT_API, name: 'Tasks', scopes: ['tasks'], claims },
        { identifier: REF_API, name: 'Billing', format: 'reference', scopes: ['bill'], claims },
        { identifier: PLAIN_API, name: 'Plain', scopes: ['plain'] },
      ],
      roles: [{ name: 'dev', permissions: { [JWT_API]: ['tasks'], [REF_API]: ['bill'], [PLAIN_API]: ['plain'] } }],
      identityProviders: [
        {
          id: 'github',
          name: 'GitHub',
          type: 'oauth2',
          authorizationEndpoint: `${gh.url}/login/oauth/authorize`,
          tokenEndpoint: `${gh.url}/login/oauth/access_token`,
          userinfoEndpoint: `${gh.url}/user`,
          clientId: gh.clientId,
          clientSecret: gh.clientSecret,
          clientAuthMethod: 'client_secret_post',
          scopes: ['read:user'],
          mapping: { subject: 'id', username: 'login' },
          roleMappings: [{ claim: 'type', value: 'User', roles: ['dev'] }],
          attributes: { githubLogin: 'login' },
        },
      ],
      clients: [
        {
          clientId: 'tasks-app',
          secrets: [SECRET],
          grantTypes: ['authorization_code'],
          redirectUris: [CALLBACK],
          permissions: { [JWT_API]: ['tasks'], [REF_API]: ['bill'], [PLAIN_API]: ['plain'] },
          introspection: 'any',
          claims: { tenant: 'user.attributes.tenant' },
        },
      ],
    };
    await server.engine.apply(validateConfig(config, 'test', { apis: [], roles: [] }));
  });
  after(async () => {
    await server.close();
    await gh.close();
  });

  async function signIn(resource: string): Promise<Record<string, string>> {
    const { verifier, challenge } = pkce();
    const query = {
      client_id: 'tasks-app',
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: `openid ${resource === PLAIN_API ? 'plain' : resource === REF_API ? 'bill' : 'tasks'}`,
      resource,
      state: 'st',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    const browser = new TestBrowser();
    const signInPage = await openAndFollow(browser, authorizeUrl(server.url, query), CALLBACK);
    let page = await openAndFollow(browser, providerLink(signInPage, 'GitHub'), CALLBACK);
    if (/Allow access\?/.test(page.html)) {
      const form = readForm(page.html);
      page = { ...(await browser.post(form.action, { ...form.fields, decision: 'allow' })), url: form.action };
    }
    assert.ok(page.location?.startsWith(CALLBACK), `got ${page.status}: ${page.html.slice(0, 300)}`);
    const tokens = await server.post(
      '/token',
      { grant_type: 'authorization_code', code: callbackParams(page.location!).code!, redirect_uri: CALLBACK, code_verifier: verifier },
      basic('tasks-app', SECRET),
    );
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    return tokens.body as Record<string, string>;
  }

  it('signs a GitHub user in just in time, maps the JSON, and puts mapped claims in a JWT access token', async () => {
    gh.next = { id: 583231, login: 'octocat', name: 'The Octocat', email: null };
    const first = await signIn(JWT_API);
    const user = await server.engine.store.getUserByUsername('octocat');
    assert.equal(user?.name, 'The Octocat');
    assert.deepEqual(user?.roles, ['dev']);
    assert.equal((await server.engine.store.findFederatedIdentity('github', '583231'))?.userId, user?.id);
    await server.engine.store.upsertUser({ ...user!, attributes: { ...user!.attributes, tenant: 'acme' } });
    const again = await signIn(JWT_API);
    assert.equal(claimsOf(again.access_token!).sub, claimsOf(first.access_token!).sub, 'same Tessera user');
    const access = claimsOf(again.access_token!);
    assert.deepEqual(access.roles, ['dev']);
    assert.equal(access.tenant, 'acme');
    assert.deepEqual(access.login, 'octocat');
    assert.deepEqual(access.perms, ['tasks']);
    assert.equal(access.aud, JWT_API);
    assert.equal(claimsOf(again.id_token!).tenant, 'acme', "the client's mapping reaches its ID token");
    const userinfo = await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${again.access_token}` } });
    assert.equal(userinfo.status, 200);
    const info = (await userinfo.json()) as Record<string, unknown>;
    assert.equal(info.tenant, 'acme', 'and its userinfo');
    assert.equal(info.sub, user?.id);
  });

  it('puts mapped claims in introspection of reference tokens, after the reserved ones', async () => {
    const tokens = await signIn(REF_API);
    assert.match(tokens.access_token!, /^tsr_at_/);
    const body = (await server.post('/introspect', { token: tokens.access_token! }, basic('tasks-app', SECRET))).body;
    assert.equal(body.active, true);
    assert.deepEqual(body.roles, ['dev']);
    assert.equal(body.tenant, 'acme');
    assert.deepEqual(body.perms, ['bill']);
    assert.equal(body.aud, REF_API);
  });

  it('introspects a JWT with its mapped claims; an API without a mapping gets the same tokens as before', async () => {
    const jwt = (await signIn(JWT_API)).access_token!;
    const body = (await server.post('/introspect', { token: jwt }, basic('tasks-app', SECRET))).body;
    assert.equal(body.tenant, 'acme');
    const plain = claimsOf((await signIn(PLAIN_API)).access_token!);
    // The same as before but for RFC 9068's authentication claims (acr, auth_time), which every user token now carries.
    assert.deepEqual(Object.keys(plain).sort(), ['acr', 'aud', 'auth_time', 'client_id', 'exp', 'iat', 'iss', 'jti', 'scope', 'sub']);
  });

  it('refuses a mapping of reserved claims at configuration time', () => {
    for (const name of ['sub', 'iss', 'aud', 'exp', 'scope', 'client_id', 'cnf', 'jti', 'iat']) {
      const config = { apis: [{ identifier: 'https://x.test', name: 'X', claims: { [name]: 'user.username' } }] };
      assert.throws(
        () => validateConfig(config, 'test', { apis: [], roles: [] }),
        (error: Error) => error instanceof ConfigError && /reserved/.test(error.message),
      );
    }
  });

  it('a wrong client secret at the upstream ends on a clear page', async () => {
    const stored = await server.engine.store.getIdentityProvider('github');
    await server.engine.store.upsertIdentityProvider({ ...stored!, clientSecretEncrypted: server.engine.providerSecrets.encrypt('github', 'wrong-secret') });
    try {
      const { challenge } = pkce();
      const query = {
        client_id: 'tasks-app',
        response_type: 'code',
        redirect_uri: CALLBACK,
        scope: 'tasks',
        resource: JWT_API,
        state: 'st',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      };
      const browser = new TestBrowser();
      const signInPage = await openAndFollow(browser, authorizeUrl(server.url, query), CALLBACK);
      const page = await openAndFollow(browser, providerLink(signInPage, 'GitHub'), CALLBACK);
      assert.equal(page.status, 400);
      assert.match(page.html, /Sign-in with GitHub is not set up correctly/);
    } finally {
      await server.engine.store.upsertIdentityProvider(stored!);
    }
  });
});
