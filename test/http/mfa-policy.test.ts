/**
 * MFA policy over HTTP: with `mfa.required: admins`, an administrator without a factor
 * is taken through enrolment right after the password (and shown recovery codes) before
 * reaching /account; a client with requireMfa does the same to anyone, over a live
 * password-only session too. Administrators list a user's factors (never the secret)
 * and reset them through the management API, audited.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FrozenClock } from '../../src/core/clock.js';
import { mfaPolicyFrom } from '../../src/core/mfa/mfa-policy.js';
import { ADMIN_ROLE, MANAGEMENT_SCOPES, managementAudience } from '../../src/management/management-api.js';
import { readForm, TestBrowser } from '../support/browser.js';
import { makeFixture, PASSWORDS } from '../support/fixture.js';
import { managementCaller } from '../support/management-calls.js';
import { authorizeUrl, pkce, submitSignIn } from '../support/sign-in.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { recoveryCodesOf, secretOf, submitCode, totpAt } from '../support/totp.js';

describe('MFA policy', () => {
  let server: TestServer;
  const clock = new FrozenClock(1_900_000_000);

  before(async () => {
    const { config } = await makeFixture();
    const clients = (config as { clients: { clientId: string; requireMfa?: boolean }[] }).clients;
    clients.find((c) => c.clientId === 'first-party')!.requireMfa = true;
    server = await startTestServer({ config, clock, mfa: mfaPolicyFrom({ required: 'admins', roles: [] }, [ADMIN_ROLE]) });
  });
  after(() => server.close());

  async function accountSignIn(username: string, password: string) {
    const browser = new TestBrowser();
    const form = await browser.get(`${server.url}/account/sign-in`);
    return { browser, page: await browser.post(readForm(form.html).action, { ...readForm(form.html).fields, username, password }) };
  }

  it('takes an administrator without a factor through enrolment right after the password', async () => {
    const { browser, page } = await accountSignIn('root', 'root-password-123');
    assert.match(page.location ?? '', new RegExp(`^${server.url}/mfa/`));
    const enrol = await browser.get(page.location!);
    assert.match(enrol.html, /Set up a second factor/);
    assert.match(enrol.html, /Your organisation asks for a second factor/);
    assert.match(enrol.html, /<svg role="img"/);
    assert.equal(browser.cookies.has('tsr_session'), false, 'no session yet');
    assert.equal((await browser.get(`${server.url}/account`)).status, 303, 'not in before enrolling');
    const secret = secretOf(enrol);
    assert.equal((await submitCode(browser, enrol, '123456' === totpAt(secret, clock.now()) ? '654321' : '123456')).status, 400);
    const saved = await submitCode(browser, enrol, totpAt(secret, clock.now()));
    assert.equal(saved.status, 200);
    assert.match(saved.html, /Save your recovery codes/);
    assert.equal(recoveryCodesOf(saved).length, 10);
    const next = /<a href="([^"]+)" class="primary" id="continue">/.exec(saved.html)![1]!;
    assert.equal(next, `${server.url}/account`);
    const account = await browser.get(next);
    assert.equal(account.status, 200);
    assert.match(account.html, /Authenticator app/);
    const root = (await server.engine.store.getUserByUsername('root'))!;
    assert.deepEqual((await server.engine.sessions.list(root.id))[0]?.amr, ['pwd', 'otp', 'mfa']);
  });

  it('lets a user the policy does not cover sign in with the password alone', async () => {
    const { page } = await accountSignIn('alice', PASSWORDS.alice);
    assert.equal(page.location, `${server.url}/account`);
  });

  it('a client with requireMfa sends a password-only session through enrolment', async () => {
    const { browser } = await accountSignIn('alice', PASSWORDS.alice);
    const { challenge } = pkce();
    const url = authorizeUrl(server.url, {
      response_type: 'code',
      client_id: 'first-party',
      redirect_uri: 'https://organizer.test/callback',
      scope: 'openid',
      state: 's',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const step = await browser.follow(await browser.get(url), server.url);
    assert.match(step.html, /Set up a second factor/);
    assert.match(step.html, /Organizer Web asks for a second factor/);
    assert.doesNotMatch(step.html, /name="password"/);
    const saved = await submitCode(browser, step, totpAt(secretOf(step), clock.now()));
    const next = /<a href="([^"]+)" class="primary" id="continue">/.exec(saved.html)![1]!.replace(/&amp;/g, '&');
    const done = await browser.follow(await browser.get(next), server.url);
    assert.match(done.location ?? '', /^https:\/\/organizer\.test\/callback\?.*\bcode=/);
    // A fresh browser: password, then the code.
    clock.advance(30);
    const fresh = new TestBrowser();
    const signIn = await fresh.follow(await fresh.get(url), server.url);
    const code = await fresh.follow(await submitSignIn(fresh, signIn, 'alice'), server.url);
    assert.match(code.html, /Enter your code/);
  });

  it('lists factors without secrets and resets them through the management API, audited', async () => {
    const root = (await server.engine.store.getUserByUsername('root'))!;
    const token = (
      await server.engine.credentials.createPersonalAccessToken(root.id, { name: 't', api: managementAudience(server.url), scopes: [...MANAGEMENT_SCOPES] })
    ).token;
    const call = await managementCaller(server);
    const alice = (await server.engine.store.getUserByUsername('alice'))!;
    const listed = await call(token, 'GET', '/users/{id}/mfa', undefined, { id: alice.id });
    assert.equal(listed.status, 200);
    assert.equal(listed.body.factors.length, 1);
    assert.equal(listed.body.factors[0].type, 'totp');
    assert.equal(listed.body.required, false);
    assert.deepEqual(listed.body.recoveryCodes, { total: 10, remaining: 10 });
    assert.doesNotMatch(JSON.stringify(listed.body), /secret/i);
    assert.equal((await call(token, 'GET', '/users/{id}/mfa', undefined, { id: root.id })).body.required, true);
    const reset = await call(token, 'DELETE', '/users/{id}/mfa', undefined, { id: alice.id });
    assert.deepEqual(reset.body, { removed: 1 });
    assert.deepEqual((await call(token, 'GET', '/users/{id}/mfa', undefined, { id: alice.id })).body.factors, []);
    await server.engine.audit.flush();
    const { events } = await server.engine.audit.query({ type: 'mfa.removed' });
    assert.equal(events[0]?.subject, alice.id);
    assert.match(events[0]?.actor?.id ?? '', new RegExp(`^${root.id}`));
    assert.equal(events[0]?.details?.reset, true);
  });

  it('shows the policy, read-only, to whoever may read users', async () => {
    const root = (await server.engine.store.getUserByUsername('root'))!;
    const token = (
      await server.engine.credentials.createPersonalAccessToken(root.id, { name: 'p', api: managementAudience(server.url), scopes: ['read:users'] })
    ).token;
    const call = await managementCaller(server);
    const policy = await call(token, 'GET', '/mfa-policy');
    assert.equal(policy.status, 200);
    assert.deepEqual(policy.body, { everyone: false, roles: [ADMIN_ROLE], source: 'configuration' });
    const none = (
      await server.engine.credentials.createPersonalAccessToken(root.id, { name: 'q', api: managementAudience(server.url), scopes: ['read:clients'] })
    ).token;
    assert.equal((await call(none, 'GET', '/mfa-policy')).status, 403);
  });
});
