/**
 * An upstream provider's answer that comes back without the browser cookie (opened in
 * another browser or app): a user with a second factor is taken to it (not to "cannot be
 * completed"), in a browser cookie of its own, and the authorization goes on once the
 * code is in; anyone else is asked to start again, with nothing created, linked or
 * signed in, so that another site cannot sign a visitor in to an account of its choosing.
 * With the cookie, a user with a factor is asked for it as after a password.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FrozenClock } from '../../src/core/clock.js';
import { validateConfig } from '../../src/core/config/load.js';
import { callbackParams, TestBrowser, type Page } from '../support/browser.js';
import { authorizeUrl, decide, pkce } from '../support/sign-in.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';
import { submitCode, totpAt } from '../support/totp.js';
import { openAndFollow, providerLink } from '../support/upstream-flow.js';
import { corpProvider, startUpstreamOp, type UpstreamOp } from '../support/upstream-op.js';

const CALLBACK = 'https://corp-app.test/callback';
const SECRET = 'corp-app-secret-0123456789';
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('upstream sign-in that comes back without the browser cookie', () => {
  let server: TestServer;
  let op: UpstreamOp;
  const clock = new FrozenClock(1_900_000_005);
  let secret = '';

  before(async () => {
    server = await startTestServer({ clock });
    op = await startUpstreamOp(`${server.url}/upstream/corp/callback`);
    await server.engine.apply(
      validateConfig(
        {
          users: [
            { username: 'dana', password: 'dana-password-1', email: 'dana@corp.test', emailVerified: true },
            { username: 'erin', password: 'erin-password-1', email: 'erin@corp.test', emailVerified: true },
          ],
          identityProviders: [corpProvider(op)],
          clients: [{ clientId: 'corp-app', name: 'Corp App', secrets: [SECRET], grantTypes: ['authorization_code'], redirectUris: [CALLBACK] }],
        },
        'test',
        { apis: [], roles: [] },
      ),
    );
    // dana has an authenticator app and her Corp identity linked; erin only the identity.
    for (const [username, sub] of [
      ['dana', 'dana-up'],
      ['erin', 'erin-up'],
    ] as const) {
      const user = (await server.engine.store.getUserByUsername(username))!;
      await server.engine.store.insertFederatedIdentity({ providerId: 'corp', subject: sub, userId: user.id, createdAt: clock.now() });
    }
    const dana = (await server.engine.store.getUserByUsername('dana'))!;
    const enrolment = server.engine.mfa.startTotp(dana);
    secret = enrolment.secret;
    assert.ok((await server.engine.mfa.confirmTotp(dana, enrolment.sealed, totpAt(secret, clock.now()), {}, { type: 'user', id: dana.id }, '127.0.0.1')).ok);
  });
  after(async () => {
    await server.close();
    await op.close();
  });

  /** Starts an authorization in `browser`, goes through Corp as `sub`, and stops at the callback to Tessera. */
  async function callbackFor(sub: string, browser = new TestBrowser(), path?: string): Promise<{ url: string; verifier: string }> {
    op.next = { user: { sub, email: `${sub}@corp.test` } };
    const { verifier, challenge } = pkce();
    const start = path
      ? `${server.url}${path}`
      : authorizeUrl(server.url, {
          client_id: 'corp-app',
          response_type: 'code',
          redirect_uri: CALLBACK,
          scope: 'openid',
          state: 'app-state',
          code_challenge: challenge,
          code_challenge_method: 'S256',
        });
    const signIn = await openAndFollow(browser, start, CALLBACK);
    const callback = await openAndFollow(browser, providerLink(signIn, 'Corp'), `${server.url}/upstream/`);
    assert.ok(callback.location?.startsWith(`${server.url}/upstream/corp/callback?`), callback.location);
    return { url: callback.location!, verifier };
  }

  /** A browser with no cookie at all, like the one the answer was opened in. */
  const cookieless = () => new TestBrowser();

  it('takes a user with a second factor to it, then on to the app', async () => {
    clock.advance(30);
    const { url, verifier } = await callbackFor('dana-up');
    const elsewhere = cookieless();
    const answer = await elsewhere.get(url);
    assert.equal(answer.status, 303, answer.html.slice(0, 300));
    assert.match(answer.location ?? '', new RegExp(`^${server.url}/mfa/`), 'the second step, not "cannot be completed"');
    assert.ok(elsewhere.cookies.has('tsr_browser'), 'bound to a browser cookie of its own');
    assert.ok(!elsewhere.cookies.has('tsr_session'), 'no session before the code');
    const step: Page = await elsewhere.get(answer.location!);
    assert.equal(step.status, 200);
    assert.match(step.html, /Enter your code/);
    assert.match(step.html, /Signing in as <strong>dana<\/strong>/);
    const consent = await elsewhere.follow(await submitCode(elsewhere, step, totpAt(secret, clock.now())), server.url);
    assert.match(consent.html, /Allow access\?/);
    const done = await elsewhere.follow(await decide(elsewhere, consent, 'allow'), server.url);
    assert.ok(done.location?.startsWith(`${CALLBACK}?`), `${done.status} ${done.location} ${done.html.slice(0, 300)}`);
    const { code, state } = callbackParams(done.location!);
    assert.equal(state, 'app-state');
    const tokens = await server.post(
      '/token',
      { grant_type: 'authorization_code', code: code!, redirect_uri: CALLBACK, code_verifier: verifier },
      basic('corp-app', SECRET),
    );
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    const idToken = claimsOf((tokens.body as { id_token: string }).id_token);
    assert.deepEqual(idToken.amr, ['otp', 'mfa']);
    assert.equal(idToken.acr, 'urn:tessera:loa:2fa');
  });

  it("does the same for the account page's sign-in", async () => {
    clock.advance(30);
    const start = new TestBrowser();
    const { url } = await callbackFor('dana-up', start, '/account');
    const elsewhere = cookieless();
    const step = await elsewhere.follow(await elsewhere.get(url), server.url);
    assert.match(step.html, /Enter your code/);
    const account = await elsewhere.follow(await submitCode(elsewhere, step, totpAt(secret, clock.now())), server.url);
    assert.equal(account.status, 200);
    assert.match(account.html, /Signed in as <strong>[^<]*<\/strong> \(dana\)/);
  });

  it('asks anyone without a factor to start again: no session, no account created', async () => {
    for (const sub of ['erin-up', 'nobody-up']) {
      const { url } = await callbackFor(sub);
      const elsewhere = cookieless();
      const answer = await elsewhere.get(url);
      assert.equal(answer.status, 400, `${sub}: ${answer.location}`);
      assert.match(answer.html, /cannot be completed/);
      assert.ok(!elsewhere.cookies.has('tsr_session'));
    }
    assert.equal(await server.engine.store.findFederatedIdentity('corp', 'nobody-up'), undefined, 'nothing created for an unknown identity');
    await server.engine.audit.flush();
    const { events } = await server.engine.audit.query({ type: 'signin.failed' });
    assert.ok(events.some((e) => e.reason === 'upstream_other_browser'));
  });

  it('in the browser that started it, asks a user with a factor for it', async () => {
    clock.advance(30);
    const browser = new TestBrowser();
    const { url } = await callbackFor('dana-up', browser);
    const step = await browser.follow(await browser.get(url), server.url);
    assert.match(step.html, /Enter your code/);
  });

  it("still refuses another browser's cookie, and a second use", async () => {
    const { url } = await callbackFor('dana-up');
    const other = new TestBrowser();
    await other.get(`${server.url}/account/sign-in`);
    assert.equal((await other.get(url)).status, 400);
    const elsewhere = cookieless();
    assert.equal((await elsewhere.get(url)).status, 303, 'the sign-in was not used up by the refusal');
    assert.equal((await cookieless().get(url)).status, 400, 'once only');
  });
});
