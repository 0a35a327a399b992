/**
 * Interop: openid-client (v6) sees how a user signed in. A password and a one-time
 * code give `amr` ["pwd","otp","mfa"] and `acr` urn:tessera:loa:2fa in the ID token,
 * the JWT access token and introspection; acr_values asking for that level makes a
 * user with a live password-only session present a second factor (not the password
 * again), prompt=none then answers interaction_required, and auth_time moves to the
 * step-up. Codes are computed by the test under a frozen clock near real time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { ACR_MULTI_FACTOR, ACR_ONE_FACTOR } from '@tessera/resource-server/shared';
import { FrozenClock } from '../../src/core/clock.js';
import { readForm, TestBrowser, type Page } from '../support/browser.js';
import { CALLBACK, makeFixture, PASSWORDS, SECRETS } from '../support/fixture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { submitCode, totpAt } from '../support/totp.js';

describe('interop: openid-client reads amr and acr; acr_values steps a live session up', () => {
  let server: TestServer;
  let config: client.Configuration;
  const clock = new FrozenClock(Math.floor(Date.now() / 1000));

  before(async () => {
    const { config: fixture } = await makeFixture();
    for (const user of (fixture as { users: { username: string; active?: boolean }[] }).users) user.active = true;
    server = await startTestServer({ config: fixture, clock });
    config = await client.discovery(new URL(server.url), 'calendar-app', undefined, client.ClientSecretBasic(SECRETS.calendar), {
      execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
    });
  });
  after(() => server.close());

  /** Enrols an authenticator app for `username` through the engine; returns its secret. */
  async function enrol(username: string): Promise<string> {
    const user = (await server.engine.store.getUserByUsername(username))!;
    const enrolment = server.engine.mfa.startTotp(user);
    const done = await server.engine.mfa.confirmTotp(
      user,
      enrolment.sealed,
      totpAt(enrolment.secret, clock.now()),
      {},
      { type: 'user', id: user.id },
      '127.0.0.1',
    );
    assert.ok(done.ok);
    clock.advance(30);
    return enrolment.secret;
  }

  async function start(browser: TestBrowser, extra: Record<string, string> = {}) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid read:calendars',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...extra,
    });
    const page = await browser.follow(await browser.get(url.href), server.url);
    return { page, verifier, state, nonce };
  }

  /** Consents if asked; returns where the browser lands at the client. */
  async function finish(browser: TestBrowser, page: Page): Promise<URL> {
    let current = page;
    if (/Allow access\?/.test(current.html)) {
      const form = readForm(current.html);
      current = await browser.post(form.action, { ...form.fields, decision: 'allow' });
    }
    assert.ok(current.location?.startsWith(CALLBACK), `at the client: ${current.status} ${current.location} ${current.html.slice(0, 300)}`);
    return new URL(current.location!);
  }

  async function tokensFor(callback: URL, flow: { verifier: string; state: string; nonce: string }, maxAge?: number) {
    return client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
      ...(maxAge !== undefined ? { maxAge } : {}),
    });
  }

  const signIn = (browser: TestBrowser, page: Page, username: 'alice' | 'bob') => {
    const form = readForm(page.html);
    return browser.post(form.action, { ...form.fields, username, password: PASSWORDS[username] });
  };

  it('password + one-time code: amr pwd/otp/mfa and the two-factor acr in the ID token, the access token and introspection', async () => {
    const secret = await enrol('alice');
    const browser = new TestBrowser();
    const flow = await start(browser);
    const step = await browser.follow(await signIn(browser, flow.page, 'alice'), server.url);
    assert.match(step.html, /Enter your code/);
    const callback = await finish(browser, await browser.follow(await submitCode(browser, step, totpAt(secret, clock.now())), server.url));
    const tokens = await tokensFor(callback, flow);
    const claims = tokens.claims()!;
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(claims.acr, ACR_MULTI_FACTOR);
    assert.equal(claims.auth_time, clock.now());
    const access = decodeJwt(tokens.access_token);
    assert.deepEqual([access.acr, access.amr, access.auth_time], [ACR_MULTI_FACTOR, ['pwd', 'otp', 'mfa'], clock.now()], 'RFC 9068 §2.2.1 claims');
    const introspected = await client.tokenIntrospection(config, tokens.access_token);
    assert.equal(introspected.active, true);
    assert.deepEqual([introspected.acr, introspected.amr, introspected.auth_time], [ACR_MULTI_FACTOR, ['pwd', 'otp', 'mfa'], clock.now()]);
    // Refreshing keeps how the user signed in.
    clock.advance(60);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    assert.deepEqual(
      [refreshed.claims()?.acr, refreshed.claims()?.amr, refreshed.claims()?.auth_time],
      [ACR_MULTI_FACTOR, ['pwd', 'otp', 'mfa'], clock.now() - 60],
    );
  });

  it('acr_values asks a live password-only session for a second factor, not the password; auth_time moves to the step-up', async () => {
    const browser = new TestBrowser();
    const first = await start(browser);
    const signedIn = await browser.follow(await signIn(browser, first.page, 'bob'), server.url);
    const oneFactor = await tokensFor(await finish(browser, signedIn), first);
    assert.deepEqual([oneFactor.claims()?.acr, oneFactor.claims()?.amr], [ACR_ONE_FACTOR, ['pwd']]);
    const signedInAt = oneFactor.claims()!.auth_time!;

    const secret = await enrol('bob');
    clock.advance(100);
    const silent = await start(browser, { acr_values: ACR_MULTI_FACTOR, prompt: 'none' });
    assert.equal(new URL(silent.page.location!).searchParams.get('error'), 'interaction_required');

    const stepUp = await start(browser, { acr_values: `${ACR_MULTI_FACTOR} ${ACR_ONE_FACTOR}` });
    assert.match(stepUp.page.html, /Enter your code/, 'the second factor, over the live session');
    assert.doesNotMatch(stepUp.page.html, /name="password"/);
    const callback = await finish(browser, await browser.follow(await submitCode(browser, stepUp.page, totpAt(secret, clock.now())), server.url));
    const tokens = await tokensFor(callback, stepUp, 300);
    const claims = tokens.claims()!;
    assert.equal(claims.acr, ACR_MULTI_FACTOR);
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(claims.auth_time, clock.now());
    assert.ok(claims.auth_time! > signedInAt);

    // Now at that level, the same request is answered at once; a stale session is asked to sign in again.
    const again = await start(browser, { acr_values: ACR_MULTI_FACTOR, prompt: 'none' });
    assert.match(again.page.location ?? '', /[?&]code=/);
    clock.advance(120);
    const stale = await start(browser, { max_age: '60' });
    assert.match(stale.page.html, /name="password"/, 'max_age exceeded: sign in again');
  });

  it('advertises the levels in discovery', () => {
    const metadata = config.serverMetadata();
    assert.deepEqual(metadata.acr_values_supported, [ACR_ONE_FACTOR, ACR_MULTI_FACTOR]);
    assert.ok(metadata.claims_supported?.includes('amr'));
    assert.ok(metadata.claims_supported?.includes('acr'));
  });
});
