/**
 * Second factors in a real browser (Debian's Chromium through playwright-core), the
 * server's clock frozen and every one-time code computed by the test (RFC 6238):
 *   1. alice sets up an authenticator app on /account (QR code, a first code), is shown
 *      ten recovery codes once, signs out, signs in with password + code; a code used
 *      once is refused; a recovery code works once and the count shown drops;
 *   2. under `server.mfa.required: admins` an administrator without a factor is taken
 *      through setting one up before reaching /admin; there, a user's factors (never a
 *      secret) are listed and reset, and the policy is shown.
 * Every page on the way: each POST form carries a CSRF token, no inline script or
 * event-handler attribute, no request to another origin, no CSP violation or console error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { FrozenClock } from '../../src/core/clock.js';
import { mfaPolicyFrom } from '../../src/core/mfa/mfa-policy.js';
import { ADMIN_ROLE } from '../../src/management/management-api.js';
import {
  bounded,
  CHROMIUM,
  chromiumAvailable as available,
  launchChromium,
  skipWithoutChromium as skip,
  watchedPage,
  type LaunchedBrowser,
} from '../support/chromium.js';
import { makeFixture, PASSWORDS } from '../support/fixture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { totpAt } from '../support/totp.js';

describe('second factors (Chromium)', { timeout: 120_000 }, () => {
  let launched: LaunchedBrowser | undefined;
  let server: TestServer | undefined;
  const clock = new FrozenClock(1_900_000_005);
  const checked = new Set<string>();

  before(async () => {
    if (skip) return;
    assert.ok(available, `CI is set but ${CHROMIUM} is missing: install Debian's chromium package (see .ci/run)`);
    server = await startTestServer({ config: (await makeFixture()).config, clock, mfa: mfaPolicyFrom({ required: 'admins', roles: [] }, [ADMIN_ROLE]) });
    launched = await launchChromium();
  });
  after(async () => {
    if (launched) await launched.close();
    if (server) await bounded(server.close(), 5_000);
  });

  /** The page as served: POST forms with a CSRF token, no inline script or handler. */
  async function assertCleanPage(page: Page): Promise<void> {
    // A string, run in the page (this file is compiled without the DOM's types).
    const found = await page.evaluate(`({
      formsWithoutCsrf: [...document.querySelectorAll('form')]
        .filter((f) => f.method.toLowerCase() === 'post' && !f.querySelector('input[type=hidden][name=csrf], input[type=hidden][name=xsrf]'))
        .map((f) => f.getAttribute('action')),
      inlineScripts: [...document.scripts].filter((s) => !s.src).length,
      handlers: [...document.querySelectorAll('*')].flatMap((el) => [...el.attributes].filter((a) => a.name.startsWith('on')).map((a) => el.tagName + ' ' + a.name)),
    })`);
    assert.deepEqual(found, { formsWithoutCsrf: [], inlineScripts: 0, handlers: [] }, `at ${page.url()}`);
    checked.add(new URL(page.url()).pathname.replace(/\/mfa\/[\w-]+$/, '/mfa/:id'));
  }

  /** Every request the page made stayed on Tessera. */
  function assertNoExternalRequest(requests: string[]): void {
    const origin = new URL(server!.url).origin;
    assert.deepEqual(
      requests.filter((r) => !r.startsWith(`${origin}/`) && !r.startsWith('data:')),
      [],
    );
  }

  /** The key of the otpauth:// URI shown on a setup page, as an app would read it from the QR code. */
  async function secretShown(page: Page): Promise<string> {
    const uri = /(otpauth:\/\/totp\/[^<\s"]+)/.exec(await page.content())?.[1] ?? assert.fail(`no otpauth URI at ${page.url()}`);
    return new URL(uri.replace(/&amp;/g, '&')).searchParams.get('secret')!;
  }

  async function signIn(page: Page, username: string, password: string): Promise<void> {
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await assertCleanPage(page);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  async function signOut(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Sign out', exact: true }).first().click();
    await page.waitForLoadState();
    await page.goto(`${server!.url}/account`);
    assert.equal(new URL(page.url()).pathname, '/account/sign-in', 'signed out');
  }

  async function enterCode(page: Page, code: string): Promise<void> {
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    await assertCleanPage(page);
    const field = page.getByLabel('The 6-digit code from your authenticator app');
    assert.equal(await field.getAttribute('autocomplete'), 'one-time-code');
    assert.equal(await field.getAttribute('inputmode'), 'numeric');
    await field.fill(code);
    await page.getByRole('button', { name: 'Continue' }).click();
  }

  it('enrols on /account, signs in with password + code, refuses a code used before, takes a recovery code once', { skip, timeout: 60_000 }, async () => {
    const { page, problems, requests } = await watchedPage(await launched!.browser.newContext());
    await page.goto(`${server!.url}/account`);
    await signIn(page, 'alice', PASSWORDS.alice);
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await assertCleanPage(page);

    // Setting up: a QR code drawn as SVG, the otpauth URI as text, confirmed by a first code.
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.getByRole('img', { name: 'QR code to set up an authenticator app' }).waitFor();
    await assertCleanPage(page);
    const secret = await secretShown(page);
    const first = totpAt(secret, clock.now());
    await page.getByLabel('Then enter the 6-digit code the app shows').fill(first);
    await page.getByRole('button', { name: 'Confirm', exact: true }).click();
    await page.getByText('Your authenticator app is set up').waitFor();
    const recovery = await page.locator('#security ol.codes code').allInnerTexts();
    assert.equal(recovery.length, 10, 'ten recovery codes, shown once');
    await assertCleanPage(page);
    await page.goto(`${server!.url}/account`);
    assert.equal(await page.locator('#security ol.codes code').count(), 0, 'never shown again');
    await page.getByText('10 of 10 recovery codes left.').waitFor();

    // Password, then a code; the one used to set up is refused (never twice), the next one signs in.
    await signOut(page);
    await signIn(page, 'alice', PASSWORDS.alice);
    await enterCode(page, first);
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /That code is not right/);
    clock.advance(30);
    await enterCode(page, totpAt(secret, clock.now()));
    await page.getByRole('heading', { name: 'Your account' }).waitFor();

    // A recovery code in place of a code: the page says how many remain, and the account page too.
    await signOut(page);
    await signIn(page, 'alice', PASSWORDS.alice);
    await enterCode(page, recovery[3]!.toUpperCase());
    await page.getByRole('heading', { name: 'Signed in with a recovery code' }).waitFor();
    await page.getByText('You have 9 recovery codes left.').waitFor();
    await assertCleanPage(page);
    await page.getByRole('link', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await page.getByText('9 of 10 recovery codes left.').waitFor();

    // The same recovery code does not work twice.
    await signOut(page);
    await signIn(page, 'alice', PASSWORDS.alice);
    await enterCode(page, recovery[3]!);
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /That code is not right/);
    assert.match(page.url(), /\/mfa\//, 'still on the second step');

    assertNoExternalRequest(requests);
    // The refused codes were answered 401, which Chromium reports as a console error; nothing else may be.
    assert.deepEqual(
      problems.filter((p) => !/\/mfa\/[\w-]+: Failed to load resource: the server responded with a status of 401 /.test(p)),
      [],
    );
    assert.equal(problems.length, 2, 'the replayed one-time code and the reused recovery code');
    await page.context().close();
  });

  it("takes an administrator without a factor through enrolment before /admin; the console lists and resets a user's factors", {
    skip,
    timeout: 60_000,
  }, async () => {
    const { page, problems, requests } = await watchedPage(await launched!.browser.newContext({ viewport: { width: 1280, height: 900 } }));
    await page.goto(`${server!.url}/admin`);
    await signIn(page, 'root', 'root-password-123');

    // No console yet: the second step, setting up an app first, with the reason.
    await page.getByRole('heading', { name: 'Set up a second factor' }).waitFor();
    assert.match(page.url(), /\/mfa\//);
    await page.getByText('Your organisation asks for a second factor.').waitFor();
    await assertCleanPage(page);
    const secret = await secretShown(page);
    await page.getByLabel('Then enter the 6-digit code the app shows').fill(totpAt(secret, clock.now()));
    await page.getByRole('button', { name: 'Confirm and sign in' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    assert.equal(await page.locator('ol.codes code').count(), 10);
    await assertCleanPage(page);
    await page.getByRole('link', { name: 'Continue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    assert.ok(await page.getByText('Signed in as root').isVisible());

    // The Users page: the policy, read-only, and alice's factor (kind, dates, never a secret).
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Users', exact: true }).waitFor();
    const policy = page.getByRole('region', { name: 'Second-factor policy' });
    await policy.getByText('Holders of these roles must sign in with a second factor').waitFor();
    assert.match(await policy.innerText(), new RegExp(ADMIN_ROLE));
    assert.match(await policy.innerText(), /not changeable here/);
    await page.getByRole('group', { name: 'Actions for alice' }).getByRole('button', { name: 'Second factors' }).click();
    const panel = page.getByRole('region', { name: 'Second factors of alice' });
    await panel.getByRole('cell', { name: 'Authenticator app (one-time codes)' }).waitFor();
    assert.match(await panel.innerText(), /Recovery codes: 9 of 10 left\./);
    await assertCleanPage(page);
    assert.doesNotMatch(await panel.innerText(), new RegExp(secret), "not even the administrator's own secret is anywhere");

    // Reset, after a confirmation: alice is back to her password alone.
    page.once('dialog', (dialog) => {
      assert.match(dialog.message(), /Reset the second factors of alice\?/);
      void dialog.accept();
    });
    await panel.getByRole('button', { name: 'Reset factors' }).click();
    await panel.getByText('Removed 1 factor(s) and the recovery codes of alice.').waitFor();
    await panel.getByText('alice has no second factor.').waitFor();
    assert.equal(await panel.getByRole('button', { name: 'Reset factors' }).count(), 0);
    const alice = (await server!.engine.store.getUserByUsername('alice'))!;
    assert.deepEqual(await server!.engine.store.listUserFactors(alice.id), []);
    await server!.engine.audit.flush();
    const [removed] = (await server!.engine.audit.query({ type: 'mfa.removed', subject: alice.id })).events;
    assert.equal(removed?.details?.reset, true, 'audited as a reset');

    // The audit log's type filter offers the mfa.* events.
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Audit log', exact: true }).click();
    await page.getByLabel('Type').selectOption('mfa.removed');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('cell', { name: 'mfa.removed' }).first().waitFor();

    assertNoExternalRequest(requests);
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  it('checked every kind of page on the way', { skip }, () => {
    for (const path of ['/account/sign-in', '/account', '/account/start-totp', '/account/confirm-totp', '/mfa/:id', '/admin/'])
      assert.ok(checked.has(path), `${path} in ${[...checked].join(', ')}`);
  });
});
