/**
 * One-time codes end to end over HTTP, with codes computed by the test under a frozen
 * clock: enrolment on /account (QR code, otpauth:// URI, a first code), sign-in with
 * a second step (one-time-code input, CSRF), a code never accepted twice, ±1 step of
 * drift, wrong codes throttled with the password, recovery codes each working once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FrozenClock } from '../../src/core/clock.js';
import { readForm, TestBrowser, type Page } from '../support/browser.js';
import { CALLBACK, makeFixture, PASSWORDS } from '../support/fixture.js';
import { authorizeUrl, decide, pkce, submitSignIn } from '../support/sign-in.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { formEndingWith, recoveryCodesOf, secretOf, submitCode, totpAt } from '../support/totp.js';

describe('TOTP second factor', () => {
  let server: TestServer;
  const clock = new FrozenClock(1_900_000_005);
  let secret = '';
  let recovery: string[] = [];

  before(async () => {
    const { config } = await makeFixture();
    for (const user of (config as { users: { username: string; active?: boolean }[] }).users) user.active = true;
    server = await startTestServer({ config, clock });
  });
  after(() => server.close());

  async function accountSignIn(username: string, browser = new TestBrowser()): Promise<{ browser: TestBrowser; page: Page }> {
    const form = await browser.get(`${server.url}/account/sign-in`);
    const page = await browser.post(readForm(form.html).action, { ...readForm(form.html).fields, username, password: PASSWORDS[username as 'alice'] });
    return { browser, page };
  }

  /** authorize → password → the page that follows (a second step, or consent). */
  async function startAuthorization(browser: TestBrowser, extra: Record<string, string> = {}): Promise<Page> {
    const { challenge } = pkce();
    const params = {
      response_type: 'code',
      client_id: 'calendar-app',
      redirect_uri: CALLBACK,
      scope: 'openid read:calendars',
      state: 's',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    };
    const signIn = await browser.follow(await browser.get(authorizeUrl(server.url, params)), server.url);
    return browser.follow(await submitSignIn(browser, signIn, 'alice'), server.url);
  }

  it('enrols an authenticator app from /account: QR code as SVG, the otpauth URI as text, confirmed by a first code', async () => {
    const { browser, page: signedIn } = await accountSignIn('alice');
    assert.equal(signedIn.location, `${server.url}/account`, 'no factor yet: straight in');
    const account = await browser.get(`${server.url}/account`);
    assert.match(account.html, /id="security"/);
    const start = formEndingWith(account, '/account/start-totp');
    const setup = await browser.post(start.action, start.fields);
    assert.equal(setup.status, 200);
    assert.match(setup.html, /<svg role="img" aria-label="QR code[^"]*" xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.doesNotMatch(setup.html, /<img|<script|\ssrc=/, 'no image or script fetched from anywhere');
    secret = secretOf(setup);
    assert.match(setup.html, new RegExp(`otpauth://totp/127\\.0\\.0\\.1%3A\\d+:alice\\?secret=${secret}&amp;issuer=`));
    const confirm = formEndingWith(setup, '/account/confirm-totp');
    assert.match(setup.html, /autocomplete="one-time-code" inputmode="numeric"/);
    const wrong = await browser.post(confirm.action, { ...confirm.fields, code: totpAt(secret, clock.now(), 5) });
    assert.equal(wrong.status, 400);
    assert.match(wrong.html, /That code is not right/);
    const noCsrf = await browser.post(confirm.action, { enrolment: confirm.fields.enrolment!, code: totpAt(secret, clock.now()) });
    assert.equal(noCsrf.status, 403, 'CSRF like every other form');
    const done = await browser.post(confirm.action, { ...confirm.fields, code: totpAt(secret, clock.now()) });
    assert.equal(done.status, 200);
    assert.match(done.html, /Your authenticator app is set up/);
    recovery = recoveryCodesOf(done);
    assert.equal(recovery.length, 10, 'ten recovery codes, shown once');
    assert.equal(new Set(recovery).size, 10);
    const again = await browser.get(`${server.url}/account`);
    assert.equal(recoveryCodesOf(again).length, 0, 'never shown again');
    assert.match(again.html, /10 of 10 recovery codes left/);
    assert.match(again.html, /Authenticator app/);
    const stored = await server.engine.store.listUserFactors((await server.engine.store.getUserByUsername('alice'))!.id);
    assert.equal(stored.length, 1);
    assert.doesNotMatch(JSON.stringify(stored), new RegExp(secret), 'the secret is encrypted at rest');
  });

  it('asks for a code after the password; the code used at enrolment is refused (never twice); the next one signs in with amr', async () => {
    const browser = new TestBrowser();
    const step = await startAuthorization(browser);
    assert.equal(step.status, 200);
    assert.match(step.html, /Enter your code/);
    assert.match(step.html, /name="code" autocomplete="one-time-code" inputmode="numeric"/);
    assert.equal(browser.cookies.has('tsr_session'), false, 'no session before the second factor');
    const { action, fields } = readForm(step.html);
    assert.match(action, new RegExp(`^${server.url}/mfa/[\\w-]{32}$`));
    assert.equal((await browser.post(action, { code: totpAt(secret, clock.now()) })).status, 403, 'CSRF');
    const replay = await browser.post(action, { ...fields, code: totpAt(secret, clock.now()) });
    assert.equal(replay.status, 401, 'the step of the enrolment code is used');
    clock.advance(30);
    const ok = await browser.post(action, { ...fields, code: totpAt(secret, clock.now()) });
    assert.equal(ok.status, 303, ok.html.slice(0, 300));
    assert.match(ok.location!, /\/interaction\//);
    const consent = await browser.follow(ok, server.url);
    const back = await decide(browser, consent, 'allow');
    assert.match(back.location!, /^https:\/\/calendar\.test\/callback\?.*\bcode=tsr_ac_/);
    const sessions = await server.engine.sessions.list((await server.engine.store.getUserByUsername('alice'))!.id);
    assert.deepEqual(sessions[0]?.amr, ['pwd', 'otp', 'mfa']);
    assert.equal((await browser.post(action, { ...fields, code: totpAt(secret, clock.now(), 1) })).status, 400, 'the step is over once done');
  });

  it('accepts one step of drift either way, never a step already used, never two steps away', async () => {
    clock.advance(300);
    const tryCode = async (steps: number) => {
      const browser = new TestBrowser();
      const step = await startAuthorization(browser);
      return submitCode(browser, step, totpAt(secret, clock.now(), steps));
    };
    assert.equal((await tryCode(-2)).status, 401, 'two steps late');
    assert.equal((await tryCode(2)).status, 401, 'two steps early');
    assert.equal((await tryCode(-1)).status, 303, 'one step late');
    assert.equal((await tryCode(1)).status, 303, 'one step early');
    assert.equal((await tryCode(0)).status, 401, 'the current step comes before the last one used');
    clock.advance(60);
    assert.equal((await tryCode(0)).status, 303);
  });

  it('signs in with a recovery code once each, and says how many remain', async () => {
    const use = async (code: string) => {
      const browser = new TestBrowser();
      const step = await startAuthorization(browser);
      return { browser, page: await submitCode(browser, step, code) };
    };
    const first = await use(recovery[0]!.toUpperCase().replace('-', ' '));
    assert.equal(first.page.status, 200, first.page.html.slice(0, 300));
    assert.match(first.page.html, /Signed in with a recovery code/);
    assert.match(first.page.html, /You have 9 recovery codes left/);
    const next = /<a href="([^"]+)" class="primary" id="continue">/.exec(first.page.html)![1]!;
    const onward = await first.browser.follow(await first.browser.get(next.replace(/&amp;/g, '&')), server.url);
    assert.match(onward.location ?? '', /^https:\/\/calendar\.test\/callback\?.*\bcode=tsr_ac_/, 'Continue goes on to the app');
    assert.equal((await use(recovery[0]!)).page.status, 401, 'a recovery code works once');
    await server.engine.audit.flush();
    const events = await server.engine.audit.query({ type: 'mfa.recovery_code_used' });
    assert.equal(events.events[0]?.details?.remaining, 9);
    const page = await first.browser.get(`${server.url}/account`);
    assert.match(page.html, /9 of 10 recovery codes left/, page.html.slice(0, 200));
  });

  it('asks for the code at the account page’s sign-in too; new recovery codes replace the old; removing the app needs a code', async () => {
    clock.advance(30);
    const { browser, page } = await accountSignIn('alice');
    assert.match(page.location ?? '', new RegExp(`^${server.url}/mfa/`));
    const step = await browser.get(page.location!);
    const signedIn = await submitCode(browser, step, totpAt(secret, clock.now()));
    assert.equal(signedIn.location, `${server.url}/account`);
    const account = await browser.get(signedIn.location!);
    const regenerate = formEndingWith(account, '/account/regenerate-recovery-codes');
    const fresh = recoveryCodesOf(await browser.post(regenerate.action, regenerate.fields));
    assert.equal(fresh.length, 10);
    const after = await browser.get(`${server.url}/account`);
    assert.match(after.html, /10 of 10 recovery codes left/);
    const remove = formEndingWith(after, '/account/remove-factor');
    const refused = await browser.post(remove.action, { ...remove.fields, code: recovery[1]! });
    assert.equal(refused.status, 400, 'an old recovery code no longer works');
    assert.match(refused.html, /enter a code from the app/);
    const removed = await browser.post(remove.action, { ...remove.fields, code: fresh[0]! });
    assert.equal(removed.location, `${server.url}/account?done=factor-removed#security`);
    const userId = (await server.engine.store.getUserByUsername('alice'))!.id;
    assert.deepEqual(await server.engine.store.listUserFactors(userId), []);
    assert.deepEqual(await server.engine.store.countRecoveryCodes(userId), { total: 0, remaining: 0 });
    // Set up again for what follows.
    const setup = await browser.post(formEndingWith(after, '/account/remove-factor').action.replace('remove-factor', 'start-totp'), {
      csrf: remove.fields.csrf!,
    });
    secret = secretOf(setup);
    const confirm = formEndingWith(setup, '/account/confirm-totp');
    assert.equal((await browser.post(confirm.action, { ...confirm.fields, code: totpAt(secret, clock.now()) })).status, 200);
    clock.advance(30);
  });

  it('throttles wrong codes with the password: after five free ones, even the right code waits', async () => {
    const browser = new TestBrowser();
    const step = await startAuthorization(browser);
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push((await submitCode(browser, step, '024680')).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 401, 429]);
    const blocked = await submitCode(browser, step, totpAt(secret, clock.now(), 1));
    assert.equal(blocked.status, 429);
    assert.match(blocked.html, /Too many failed attempts/);
    await server.engine.audit.flush();
    const failures = await server.engine.audit.query({ type: 'mfa.failed' });
    assert.ok(failures.events.some((r) => r.reason === 'throttled'));
    assert.ok(failures.events.some((r) => r.reason === 'wrong_code'));
    assert.ok(
      failures.events.every((r) => !JSON.stringify(r).includes('024680')),
      'codes are never audited',
    );
  });
});
