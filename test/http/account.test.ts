/**
 * The account page over HTTP, as a browser without script would use it: a signed-out
 * visit goes through Tessera's sign-in page and back, every form is refused without
 * the session's CSRF token, and a password change follows the policy, needs the
 * current password, and can sign the other sessions out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FrozenClock } from '../../src/core/clock.js';
import { readForm, TestBrowser, type Page } from '../support/browser.js';
import { makeFixture, ORGANIZER, PASSWORDS } from '../support/fixture.js';
import { authorize } from '../support/sign-in.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

const csrfOf = (page: Page) => /name="csrf" value="([^"]+)"/.exec(page.html)?.[1] ?? assert.fail(`no CSRF token on the page:\n${page.html.slice(0, 300)}`);

describe('account page', () => {
  let server: TestServer;
  const clock = new FrozenClock(Math.floor(Date.now() / 1000));
  before(async () => {
    const { config } = await makeFixture();
    // bob is inactive in the fixture; here he signs in too.
    for (const user of (config as { users: { username: string; active?: boolean }[] }).users) user.active = true;
    server = await startTestServer({ config, clock });
  });
  after(() => server.close());

  /** Signs in on /account/sign-in and returns the account page. */
  async function signIn(username = 'alice', password: string = PASSWORDS.alice, browser = new TestBrowser()): Promise<{ browser: TestBrowser; page: Page }> {
    const first = await browser.get(`${server.url}/account`);
    assert.equal(first.status, 303);
    assert.equal(first.location, `${server.url}/account/sign-in`);
    const form = await browser.get(first.location);
    assert.equal(form.status, 200);
    const signedIn = await browser.post(readForm(form.html).action, { ...readForm(form.html).fields, username, password });
    assert.equal(signedIn.status, 303, signedIn.html.slice(0, 500));
    assert.equal(signedIn.location, `${server.url}/account`);
    return { browser, page: await browser.get(signedIn.location) };
  }

  it('sends a signed-out visitor through the sign-in page and back', async () => {
    const browser = new TestBrowser();
    const { page } = await signIn('alice', PASSWORDS.alice, browser);
    assert.equal(page.status, 200);
    assert.match(page.html, /<h1>Your account<\/h1>/);
    assert.match(page.html, /Signed in as <strong>Alice/);
    const csp = page.headers.get('content-security-policy')!;
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.match(page.html, /This browser/);
    assert.equal((await browser.get(`${server.url}/account/sign-in`)).location, `${server.url}/account`, 'already signed in');
  });

  it('refuses a wrong password and a sign-in form from elsewhere', async () => {
    const browser = new TestBrowser();
    const form = await browser.get(`${server.url}/account/sign-in`);
    const { action, fields } = readForm(form.html);
    const wrong = await browser.post(action, { ...fields, username: 'alice', password: 'not-the-password' });
    assert.equal(wrong.status, 401);
    assert.match(wrong.html, /Wrong username or password/);
    const forged = await new TestBrowser().post(action, { ...fields, username: 'alice', password: PASSWORDS.alice });
    assert.equal(forged.status, 403, 'another browser cannot use this form token');
    assert.match(forged.html, /CSRF check failed/);
  });

  it('refuses every form without the session CSRF token', async () => {
    const { browser, page } = await signIn();
    const before = await server.engine.credentials.list((await server.engine.store.getUserByUsername('alice'))!.id);
    for (const action of ['create-user-token', 'end-other-sessions', 'change-password', 'revoke-app', 'create-pat']) {
      const missing = await browser.post(`${server.url}/account/${action}`, {});
      assert.equal(missing.status, 403, action);
      assert.match(missing.headers.get('content-type')!, /text\/html/);
      const wrong = await browser.post(`${server.url}/account/${action}`, { csrf: csrfOf(page).replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) });
      assert.equal(wrong.status, 403, action);
    }
    const other = await signIn('bob', PASSWORDS.bob);
    const crossed = await browser.post(`${server.url}/account/create-user-token`, { csrf: csrfOf(other.page) });
    assert.equal(crossed.status, 403, "bob's token does not work with alice's session");
    assert.deepEqual(await server.engine.credentials.list((await server.engine.store.getUserByUsername('alice'))!.id), before, 'nothing was created');
    assert.equal((await browser.post(`${server.url}/account/no-such-action`, { csrf: csrfOf(page) })).status, 404);
    const signedOut = await new TestBrowser().post(`${server.url}/account/create-user-token`, { csrf: csrfOf(page) });
    assert.equal(signedOut.status, 303, 'no session: to sign in');
  });

  it('answers bad input with the page and an error, never a 500', async () => {
    const { browser, page } = await signIn();
    const csrf = csrfOf(page);
    const noScope = await browser.post(`${server.url}/account/create-pat`, { csrf, name: 'x', expires_in: '86400' });
    assert.equal(noScope.status, 400);
    assert.match(noScope.html, /role="alert">Choose at least one scope/);
    const notAllowed = await browser.post(`${server.url}/account/create-pat`, { csrf, name: 'x', scope: `${ORGANIZER} read:contacts`, expires_in: '86400' });
    assert.equal(notAllowed.status, 400);
    assert.match(notAllowed.html, /Not within the owner&#39;s permissions/);
    const tooLong = await browser.post(`${server.url}/account/create-pat`, {
      csrf,
      name: 'x',
      scope: `${ORGANIZER} read:calendars`,
      expires_in: String(10 * 365 * 86400),
    });
    assert.equal(tooLong.status, 400);
    const badEndpoint = await browser.post(`${server.url}/account/create-action-token`, { csrf, name: 'feed', endpoints: 'nonsense' });
    assert.equal(badEndpoint.status, 400);
    assert.match(badEndpoint.html, /nonsense<\/textarea>/, 'the form keeps what was typed');
    const repeated = await fetch(`${server.url}/account/revoke-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      body: `csrf=${encodeURIComponent(csrf)}&id=a&id=b`,
    });
    assert.equal(repeated.status, 400);
    assert.match(repeated.headers.get('content-type')!, /text\/html/);
    const bobs = await server.engine.credentials.regenerateUserToken((await server.engine.store.getUserByUsername('bob'))!.id);
    const foreign = await browser.post(`${server.url}/account/revoke-token`, { csrf, id: bobs.summary.id });
    assert.equal(foreign.status, 400, "bob's token is not alice's to revoke");
    assert.equal((await server.engine.credentials.get(bobs.summary.id))?.revokedAt, undefined);
  });

  it('binds a personal access token to a key when given its thumbprint (RFC 9449)', async () => {
    const { browser, page } = await signIn();
    const csrf = csrfOf(page);
    const form = { csrf, name: 'bound', scope: `${ORGANIZER} read:calendars`, expires_in: '86400' };
    const bad = await browser.post(`${server.url}/account/create-pat`, { ...form, dpop_jkt: 'not-a-thumbprint' });
    assert.equal(bad.status, 400);
    assert.match(bad.html, /role="alert">Must be the base64url SHA-256 JWK thumbprint/);
    assert.match(bad.html, /value="not-a-thumbprint"/, 'the form keeps what was typed');
    const jkt = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
    const good = await browser.post(`${server.url}/account/create-pat`, { ...form, dpop_jkt: jkt });
    assert.equal(good.status, 200);
    assert.match(good.html, /Authorization: DPoP/);
    const aliceId = (await server.engine.store.getUserByUsername('alice'))!.id;
    assert.ok((await server.engine.credentials.list(aliceId)).some((t) => t.name === 'bound' && t.dpopJkt === jkt));
  });

  it('changes the password with the current one, by the policy, and can sign other sessions out', async () => {
    const { browser, page } = await signIn('bob', PASSWORDS.bob);
    const elsewhere = await signIn('bob', PASSWORDS.bob);
    const csrf = csrfOf(page);
    const change = (fields: Record<string, string>) => browser.post(`${server.url}/account/change-password`, { csrf, ...fields });
    const wrongCurrent = await change({ current_password: 'nope-nope-nope', new_password: 'bob-new-password', confirm_password: 'bob-new-password' });
    assert.equal(wrongCurrent.status, 400);
    assert.match(wrongCurrent.html, /current password is not right/);
    assert.match((await change({ current_password: PASSWORDS.bob, new_password: 'short', confirm_password: 'short' })).html, /at least 8 characters/);
    assert.match(
      (await change({ current_password: PASSWORDS.bob, new_password: 'bob-new-password', confirm_password: 'bob-other-password' })).html,
      /do not match/,
    );
    const changed = await change({
      current_password: PASSWORDS.bob,
      new_password: 'bob-new-password',
      confirm_password: 'bob-new-password',
      end_other_sessions: 'yes',
    });
    assert.equal(changed.status, 303);
    const after = await browser.get(changed.location!);
    assert.match(after.html, /Your password was changed, and your other sessions were signed out/);
    assert.equal((await elsewhere.browser.get(`${server.url}/account`)).status, 303, 'the other session is signed out');
    const fresh = new TestBrowser();
    const form = await fresh.get(`${server.url}/account/sign-in`);
    assert.equal(
      (await fresh.post(readForm(form.html).action, { ...readForm(form.html).fields, username: 'bob', password: PASSWORDS.bob })).status,
      401,
      'the old password no longer works',
    );
    await signIn('bob', 'bob-new-password');
    await server.engine.audit.flush();
    const bob = (await server.engine.store.getUserByUsername('bob'))!;
    const { events } = await server.engine.audit.query({ type: 'management.changed', limit: 50 });
    const event = events.find((e) => (e.details as { action?: string }).action === 'password_set' && e.subject === bob.id);
    assert.deepEqual(event?.actor, { type: 'user', id: bob.id }, 'audited with the user as actor');
    assert.ok(!JSON.stringify(events).includes('bob-new-password'), 'no password in the audit log');
  });

  it('lists a first-party app holding a grant (no consent asked) and revokes its access', async () => {
    const { browser } = await signIn();
    const redirect = 'https://organizer.test/callback';
    const { code } = await authorize(browser, server.url, {
      client_id: 'first-party',
      response_type: 'code',
      redirect_uri: redirect,
      scope: 'openid read:calendars',
    });
    const asApp = basic('first-party', 'first-party-secret-0123456789');
    const tokens = await server.post('/token', { grant_type: 'authorization_code', code: code!, redirect_uri: redirect }, asApp);
    assert.equal(tokens.status, 200);
    const page = await browser.get(`${server.url}/account`);
    assert.match(page.html, /<strong>Organizer Web<\/strong>/);
    const revoked = await browser.post(`${server.url}/account/revoke-app`, { csrf: csrfOf(page), client_id: 'first-party' });
    assert.equal(revoked.status, 303);
    const refused = await server.post('/token', { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token as string }, asApp);
    assert.equal(refused.body.error, 'invalid_grant');
    const again = await browser.post(`${server.url}/account/revoke-app`, { csrf: csrfOf(page), client_id: 'first-party' });
    assert.equal(again.status, 400, 'nothing left to revoke');
    assert.match(again.html, /no access to revoke/);
  });

  it('ends one other session, and refuses an inactive user', async () => {
    const { browser } = await signIn();
    const other = await signIn();
    const page = await browser.get(`${server.url}/account`);
    const alice = (await server.engine.store.getUserByUsername('alice'))!;
    const otherSession = (await server.engine.store.findSessionByHash(server.engine.hasher.hash(other.browser.cookies.get('tsr_session')!), clock.now()))!;
    assert.ok(page.html.includes(`name="id" value="${otherSession.id}"`), 'the page lists the other session with a sign-out form');
    const ended = await browser.post(`${server.url}/account/end-session`, { csrf: csrfOf(page), id: otherSession.id });
    assert.equal(ended.status, 303);
    assert.equal((await other.browser.get(`${server.url}/account`)).status, 303, 'signed out at once');
    await server.engine.store.upsertUser({ ...alice, active: false });
    const refused = await browser.get(`${server.url}/account`);
    assert.equal(refused.status, 403);
    assert.match(refused.html, /inactive/);
    await server.engine.store.upsertUser({ ...alice, active: true });
  });
});
