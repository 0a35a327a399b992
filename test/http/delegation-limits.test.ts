/**
 * What reaches an app or a long-lived credential is never more than its user holds
 * now (issue 13, items 6, 7 and 17), through the real sign-in and consent pages:
 * consent is asked, and tokens issued, only for scopes the user's roles allow, for
 * third-party, first-party and sandbox apps and on refresh; OpenID Connect scopes are
 * not API permissions and pass; PATs and SATs lose a scope at their next use once the
 * owner has lost it; token exchange needs the exchanging client to be allowed on the API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt as claimsOf } from 'jose';
import { managementAudience } from '../../src/management/management-api.js';
import { TestBrowser } from '../support/browser.js';
import { CALLBACK, makeFixture, ORGANIZER, SECRETS, SPA_CALLBACK } from '../support/fixture.js';
import { authorize, authorizeUrl, pkce, submitSignIn } from '../support/sign-in.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS = 'urn:ietf:params:oauth:token-type:access_token';

describe('delegation never exceeds what the user holds', () => {
  let server: TestServer;
  let aliceId: string;
  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config });
    aliceId = (await server.engine.store.getUserByUsername('alice'))!.id;
  });
  after(() => server.close());

  /** alice holds calendar-reader; `roles` replaces that for a while. */
  async function setAliceRoles(roles: string[]): Promise<void> {
    const alice = (await server.engine.store.getUserByUsername('alice'))!;
    await server.engine.store.upsertUser({ ...alice, roles });
  }
  const introspect = (token: string) => server.post('/introspect', { token }, basic('introspector', SECRETS.introspector));

  describe('consent and delegated tokens (item 6)', () => {
    it('asks a public app only for what alice may do, and grants only that', async () => {
      const browser = new TestBrowser();
      const { verifier, challenge } = pkce();
      const params = {
        client_id: 'todo-spa',
        response_type: 'code',
        redirect_uri: SPA_CALLBACK,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        scope: 'openid profile email read:calendars write:calendars read:contacts',
      };
      const signIn = await browser.follow(await browser.get(authorizeUrl(server.url, params)), server.url);
      const consent = await browser.follow(await submitSignIn(browser, signIn, 'alice'), server.url);
      assert.match(consent.html, /Allow access\?/);
      assert.match(consent.html, /<code>read:calendars<\/code>/);
      assert.match(consent.html, /<code>profile<\/code>/, 'OpenID Connect scopes are asked for as before');
      assert.doesNotMatch(consent.html, /write:calendars|read:contacts/, 'never offered what alice cannot do');
      const { code } = await authorize(browser, server.url, params);
      const tokens = await server.post('/token', {
        grant_type: 'authorization_code',
        code: code!,
        redirect_uri: SPA_CALLBACK,
        code_verifier: verifier,
        client_id: 'todo-spa',
      });
      assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
      assert.equal(tokens.body.scope, 'openid profile email read:calendars');
      assert.equal(claimsOf(tokens.body.access_token as string).scope, 'openid profile email read:calendars');
      assert.deepEqual((await server.engine.store.getConsent(aliceId, 'todo-spa'))!.scopes.sort(), ['email', 'openid', 'profile', 'read:calendars']);
      const userinfo = await (await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${tokens.body.access_token as string}` } })).json();
      assert.equal((userinfo as Record<string, unknown>).email, 'alice@example.test', 'email still works');
    });

    it('holds first-party and sandbox apps to the same rule', async () => {
      const firstParty = await authorize(new TestBrowser(), server.url, {
        client_id: 'first-party',
        response_type: 'code',
        redirect_uri: 'https://organizer.test/callback',
        scope: 'openid read:calendars write:calendars',
      });
      const fp = await server.post(
        '/token',
        { grant_type: 'authorization_code', code: firstParty.code!, redirect_uri: 'https://organizer.test/callback' },
        basic('first-party', 'first-party-secret-0123456789'),
      );
      assert.equal(fp.body.scope, 'openid read:calendars');
      const sandbox = await authorize(new TestBrowser(), server.url, {
        client_id: 'sandbox-app',
        response_type: 'code',
        redirect_uri: 'https://sandbox.test/callback',
        scope: 'openid write:calendars read:calendars',
      });
      const sb = await server.post(
        '/token',
        { grant_type: 'authorization_code', code: sandbox.code!, redirect_uri: 'https://sandbox.test/callback' },
        basic('sandbox-app', 'sandbox-app-secret-0123456789'),
      );
      assert.equal(sb.body.scope, 'openid read:calendars');
    });

    it('drops a scope from the next refresh once alice has lost the role', async () => {
      await setAliceRoles(['calendar-writer']);
      try {
        const { code } = await authorize(new TestBrowser(), server.url, {
          client_id: 'calendar-app',
          response_type: 'code',
          redirect_uri: CALLBACK,
          scope: 'openid read:calendars write:calendars',
        });
        const tokens = await server.post(
          '/token',
          { grant_type: 'authorization_code', code: code!, redirect_uri: CALLBACK },
          basic('calendar-app', SECRETS.calendar),
        );
        assert.equal(tokens.body.scope, 'openid read:calendars write:calendars');
        await setAliceRoles(['calendar-reader']);
        const refreshed = await server.post(
          '/token',
          { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token as string },
          basic('calendar-app', SECRETS.calendar),
        );
        assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
        assert.equal(refreshed.body.scope, 'openid read:calendars');
        assert.equal(claimsOf(refreshed.body.access_token as string).scope, 'openid read:calendars');
      } finally {
        await setAliceRoles(['calendar-reader']);
      }
    });
  });

  describe('PATs and SATs at every use (item 7)', () => {
    it("narrows a PAT to its owner's roles at introspection and exchange", async () => {
      await setAliceRoles(['calendar-writer']);
      const { token } = await server.engine.credentials.createPersonalAccessToken(aliceId, {
        name: 'w',
        api: ORGANIZER,
        scopes: ['read:calendars', 'write:calendars'],
      });
      assert.equal((await introspect(token)).body.scope, 'read:calendars write:calendars');
      await setAliceRoles(['calendar-reader']);
      assert.equal((await introspect(token)).body.scope, 'read:calendars', 'the lost scope is gone at once');
      const exchanged = await server.post(
        '/token',
        { grant_type: EXCHANGE, subject_token: token, subject_token_type: ACCESS },
        basic('exchanger', 'exchanger-secret-0123456789'),
      );
      assert.equal(exchanged.status, 200, JSON.stringify(exchanged.body));
      assert.equal(exchanged.body.scope, 'read:calendars');
      const wider = await server.post(
        '/token',
        { grant_type: EXCHANGE, subject_token: token, subject_token_type: ACCESS, scope: 'write:calendars' },
        basic('exchanger', 'exchanger-secret-0123456789'),
      );
      assert.equal(wider.body.error, 'invalid_scope');
      await setAliceRoles([]);
      assert.equal((await introspect(token)).body.scope, '', 'no role, no scope');
      await setAliceRoles(['calendar-reader']);
    });

    it("narrows a SAT to its service account's roles", async () => {
      const account = (await server.engine.store.getServiceAccountByName('nightly-sync'))!;
      const { token } = await server.engine.credentials.createServiceAccessToken(account.id, { name: 's', api: ORGANIZER, scopes: ['write:calendars'] });
      assert.equal((await introspect(token)).body.scope, 'write:calendars');
      await server.engine.store.upsertServiceAccount({ ...account, roles: ['calendar-reader'] });
      assert.equal((await introspect(token)).body.scope, '');
      await server.engine.store.upsertServiceAccount(account);
    });
  });

  describe('token exchange policy (item 17)', () => {
    it("refuses an exchanging client that is not allowed on the token's API", async () => {
      const rootId = (await server.engine.store.getUserByUsername('root'))!.id;
      const { token } = await server.engine.credentials.createPersonalAccessToken(rootId, {
        name: 'm',
        api: managementAudience(server.url),
        scopes: ['read:users'],
      });
      const res = await server.post(
        '/token',
        { grant_type: EXCHANGE, subject_token: token, subject_token_type: ACCESS },
        basic('exchanger', 'exchanger-secret-0123456789'),
      );
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'invalid_target');
    });

    it('gives the exchanging client only scopes it may receive on the API', async () => {
      await server.engine.store.upsertClient({ ...(await server.engine.store.getClient('exchanger'))!, permissions: { [ORGANIZER]: ['read:contacts'] } });
      await server.engine.afterChange();
      const { token } = await server.engine.credentials.createPersonalAccessToken(aliceId, { name: 'r', api: ORGANIZER, scopes: ['read:calendars'] });
      const res = await server.post(
        '/token',
        { grant_type: EXCHANGE, subject_token: token, subject_token_type: ACCESS },
        basic('exchanger', 'exchanger-secret-0123456789'),
      );
      assert.equal(res.body.error, 'invalid_scope');
    });
  });
});
