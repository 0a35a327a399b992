/**
 * Sign-in through an upstream OpenID Connect provider, black-box: a real one
 * (oidc-provider) on loopback, Tessera's real pages, a client redeeming the code.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { validateConfig } from '../../src/core/config/load.js';
import { exportConfig } from '../../src/core/config/export.js';
import { callbackParams, readForm, TestBrowser } from '../support/browser.js';
import { authorizeUrl, pkce } from '../support/sign-in.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';
import { openAndFollow, providerLink } from '../support/upstream-flow.js';
import { corpProvider, startUpstreamOp, type UpstreamOp } from '../support/upstream-op.js';

const API = 'https://api.corp-tools.test';
const CALLBACK = 'https://app.test/callback';
const SECRET = 'corp-app-secret-0123456789';
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('upstream OpenID Connect provider', () => {
  let server: TestServer;
  let op: UpstreamOp;
  const logs: string[] = [];

  before(async () => {
    server = await startTestServer({ logs });
    op = await startUpstreamOp(`${server.url}/upstream/corp/callback`);
    const config = {
      apis: [{ identifier: API, name: 'Corp tools', scopes: ['read'], claims: { roles: 'user.roles', groups: 'user.attributes.groups' } }],
      roles: [{ name: 'admin', permissions: { [API]: ['read'] } }, { name: 'local' }],
      users: [{ username: 'carol', email: 'carol@corp.test', emailVerified: true, password: 'carol-password-1', roles: ['local'] }],
      identityProviders: [
        corpProvider(op, { roleMappings: [{ claim: 'groups', value: 'admins', roles: ['admin'] }], attributes: { groups: 'groups' } }),
        { id: 'down', name: 'Down', type: 'oidc', issuer: 'http://127.0.0.1:9', clientId: 'x', clientSecret: 'y' },
      ],
      clients: [
        { clientId: 'corp-app', name: 'Corp App', secrets: [SECRET], grantTypes: ['authorization_code'], redirectUris: [CALLBACK], api: API, scopes: ['read'] },
        { clientId: 'only-password', secrets: [SECRET], grantTypes: ['authorization_code'], redirectUris: [CALLBACK], identityProviders: [] },
      ],
    };
    await server.engine.apply(validateConfig(config, 'test', { apis: [], roles: [] }));
  });
  after(async () => {
    await server.close();
    await op.close();
  });

  const params = (extra: Record<string, string> = {}) => {
    const { verifier, challenge } = pkce();
    return {
      verifier,
      query: {
        client_id: 'corp-app',
        response_type: 'code',
        redirect_uri: CALLBACK,
        scope: 'openid read',
        state: 's-1',
        nonce: 'n-1',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        ...extra,
      },
    };
  };

  /** authorize → "Sign in with Corp" → upstream → back → consent → code → tokens. */
  async function signInThroughCorp(browser: TestBrowser, extra: Record<string, string> = {}) {
    const { verifier, query } = params(extra);
    let page = await openAndFollow(browser, authorizeUrl(server.url, query), CALLBACK);
    if (!extra.idp) page = await openAndFollow(browser, providerLink(page, 'Corp'), CALLBACK);
    if (/Allow access\?/.test(page.html)) {
      const form = readForm(page.html);
      page = { ...(await browser.post(form.action, { ...form.fields, decision: 'allow' })), url: form.action };
    }
    assert.ok(page.location?.startsWith(CALLBACK), `expected the client's callback, got ${page.status} ${page.html.slice(0, 400)}`);
    const { code, state } = callbackParams(page.location!);
    assert.equal(state, 's-1');
    const tokens = await server.post(
      '/token',
      { grant_type: 'authorization_code', code: code!, redirect_uri: CALLBACK, code_verifier: verifier },
      basic('corp-app', SECRET),
    );
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    return tokens.body as { access_token: string; id_token: string };
  }

  it('shows the button, signs in upstream, creates the user just in time, and maps roles and attributes into tokens', async () => {
    op.next = { user: { sub: 'ann-upstream', email: 'ann@corp.test', email_verified: true, preferred_username: 'ann', groups: ['admins'] } };
    const browser = new TestBrowser();
    const tokens = await signInThroughCorp(browser);
    const id = claimsOf(tokens.id_token);
    const user = await server.engine.store.getUser(String(id.sub));
    assert.equal(user?.username, 'ann');
    assert.equal(user?.email, 'ann@corp.test');
    assert.deepEqual(user?.roles, ['admin']);
    assert.deepEqual(user?.attributes, { groups: ['admins'] });
    const access = claimsOf(tokens.access_token);
    assert.deepEqual(access.roles, ['admin']);
    assert.deepEqual(access.groups, ['admins']);
    const identities = await server.engine.store.listUserIdentities(user!.id);
    assert.deepEqual(
      identities.map((i) => [i.providerId, i.subject]),
      [['corp', 'ann-upstream']],
    );
  });

  it('signs the same upstream user in as the same Tessera user, re-applying the role rules', async () => {
    op.next = { user: { sub: 'ann-upstream', email: 'ann@corp.test', email_verified: true, preferred_username: 'ann', groups: ['staff'] } };
    const tokens = await signInThroughCorp(new TestBrowser());
    const user = await server.engine.store.getUserByUsername('ann');
    assert.equal(claimsOf(tokens.id_token).sub, user?.id);
    assert.deepEqual(user?.roles, [], 'the admin role the rule gave is taken away');
    assert.deepEqual(claimsOf(tokens.access_token).roles, []);
  });

  it('idp=corp skips the sign-in page', async () => {
    op.next = { user: { sub: 'ann-upstream', preferred_username: 'ann' } };
    const browser = new TestBrowser();
    const { query } = params({ idp: 'corp' });
    const first = await browser.get(authorizeUrl(server.url, query));
    assert.equal(first.status, 303);
    assert.match(first.location!, /\/interaction\/[\w-]+\/upstream\/corp$/);
    await signInThroughCorp(new TestBrowser(), { idp: 'corp' });
  });

  it('idp naming a provider the client does not offer goes back to the client as invalid_request', async () => {
    const { query } = params({ idp: 'nope' });
    const page = await new TestBrowser().get(authorizeUrl(server.url, query));
    assert.equal(page.status, 303);
    const back = callbackParams(page.location!);
    assert.equal(back.error, 'invalid_request');
    const onlyPassword = await openAndFollow(new TestBrowser(), authorizeUrl(server.url, { ...query, client_id: 'only-password', idp: '' }), CALLBACK);
    assert.doesNotMatch(onlyPassword.html, /Sign in with/, 'a client can offer no provider');
  });

  it('links to an existing account only on a verified email from a trusted provider', async () => {
    op.next = { user: { sub: 'carol-unverified', email: 'carol@corp.test', email_verified: false, preferred_username: 'carol' } };
    const unverified = claimsOf((await signInThroughCorp(new TestBrowser())).id_token).sub;
    const carol = await server.engine.store.getUserByUsername('carol');
    assert.notEqual(unverified, carol!.id, 'email_verified: false never links');
    assert.equal((await server.engine.store.getUser(String(unverified)))?.username, 'carol@corp');
    op.next = { user: { sub: 'carol-verified', email: 'CAROL@corp.test', email_verified: true } };
    const verified = claimsOf((await signInThroughCorp(new TestBrowser())).id_token).sub;
    assert.equal(verified, carol!.id);
    await server.engine.audit.flush();
    const { events } = await server.engine.audit.query({ type: 'upstream.linked', limit: 5 });
    assert.equal(events[0]?.subject, carol!.id);
    assert.equal(events[0]?.details?.via, 'verified_email');
  });

  it('a user who refuses upstream goes back to the client with access_denied', async () => {
    op.next = { deny: true };
    const { query } = params();
    const browser = new TestBrowser();
    const signIn = await openAndFollow(browser, authorizeUrl(server.url, query), CALLBACK);
    const page = await openAndFollow(browser, providerLink(signIn, 'Corp'), CALLBACK);
    assert.ok(page.location?.startsWith(CALLBACK));
    assert.equal(callbackParams(page.location!).error, 'access_denied');
  });

  it('refuses a callback with a wrong state, a replayed one, and one from another browser, with a page (a callback with no browser cookie: upstream-mfa.test.ts)', async () => {
    op.next = { user: { sub: 'dave-upstream' } };
    const { query } = params();
    const browser = new TestBrowser();
    const signIn = await openAndFollow(browser, authorizeUrl(server.url, query), CALLBACK);
    const callback = await openAndFollow(browser, providerLink(signIn, 'Corp'), `${server.url}/upstream/`);
    const url = new URL(callback.location!);
    // Another browser (one that has been to Tessera, so it has a browser cookie of its own) is refused, and does not use the sign-in up.
    const other = new TestBrowser();
    await other.get(`${server.url}/account/sign-in`);
    assert.ok(other.cookies.has('tsr_browser'));
    const otherBrowser = await other.get(url.href);
    assert.equal(otherBrowser.status, 400);
    const wrongState = new URL(url);
    wrongState.searchParams.set('state', 'not-the-state');
    const wrong = await browser.get(wrongState.href);
    assert.equal(wrong.status, 400);
    assert.match(wrong.html, /cannot be completed/);
    const done = await browser.get(url.href);
    assert.equal(done.status, 303, 'the browser that started it completes it');
    const replay = await browser.get(url.href);
    assert.equal(replay.status, 400, 'but only once');
  });

  it('an unreachable provider ends on a clear page, not a 500', async () => {
    const { query } = params();
    const browser = new TestBrowser();
    const signIn = await openAndFollow(browser, authorizeUrl(server.url, query), CALLBACK);
    const page = await browser.get(providerLink(signIn, 'Down'));
    assert.equal(page.status, 502);
    assert.match(page.html, /Down cannot be reached right now/);
    assert.match(page.html, /Back to sign-in/);
  });

  it('keeps the client secret encrypted: not in the store, the export, or the logs', async () => {
    const stored = await server.engine.store.getIdentityProvider('corp');
    assert.ok(stored?.clientSecretEncrypted);
    assert.doesNotMatch(JSON.stringify(stored), new RegExp(op.clientSecret));
    assert.doesNotMatch(JSON.stringify(await exportConfig(server.engine.store)), new RegExp(op.clientSecret));
    assert.ok(logs.length > 0);
    assert.doesNotMatch(logs.join('\n'), new RegExp(op.clientSecret));
    assert.equal(server.engine.providerSecrets.decrypt('corp', stored!.clientSecretEncrypted!), op.clientSecret);
  });
});
