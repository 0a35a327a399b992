/**
 * Passkeys in a real browser: Debian's Chromium through playwright-core, with a
 * virtual authenticator from the DevTools protocol (WebAuthn.addVirtualAuthenticator:
 * a platform authenticator with resident keys and user verification). The issuer is
 * http://localhost:PORT, as browsers offer passkeys to a domain (never an IP address).
 *   1. alice signs in with her password and adds a passkey on /account;
 *   2. signed out, she signs in with the passkey alone: first as the sign-in page
 *      offers it (conditional mediation: the virtual authenticator answers at once, as
 *      if she picked it from the username field's autofill), then with the button;
 *   3. signed out, she signs in with her password and then the passkey;
 *   4. with the stored counter raised (as if a clone had signed since), the passkey is refused.
 * Every page: CSRF tokens on the passkey forms, no inline script (Tessera's one script
 * file only), no request to another origin, no CSP violation or console error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
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

describe('passkeys (Chromium, virtual authenticator)', { timeout: 120_000 }, () => {
  let launched: LaunchedBrowser | undefined;
  let server: TestServer | undefined;

  before(async () => {
    if (skip) return;
    assert.ok(available, `CI is set but ${CHROMIUM} is missing: install Debian's chromium package (see .ci/run)`);
    const { config } = await makeFixture();
    for (const user of (config as { users: { username: string; active?: boolean }[] }).users) user.active = true;
    server = await startTestServer({ config, issuerHost: 'localhost' });
    launched = await launchChromium();
  });

  after(async () => {
    if (launched) await launched.close();
    if (server) await bounded(server.close(), 5_000);
  });

  /** What every page must hold to: no inline script, and the passkey forms carry a CSRF token. */
  async function checkPage(page: Page): Promise<void> {
    assert.equal(await page.locator('script:not([src])').count(), 0, `no inline script at ${page.url()}`);
    for (const src of await page.locator('script[src]').evaluateAll((scripts) => scripts.map((s) => (s as unknown as { src: string }).src))) {
      assert.equal(src, `${server!.url}/assets/passkey.js`, 'the one script is Tessera’s');
    }
    for (const csrf of await page
      .locator('form[data-passkey] input[name="csrf"]')
      .evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value))) {
      assert.ok(csrf.length >= 20, `a CSRF token on the passkey form at ${page.url()}`);
    }
  }

  async function sessionAmr(): Promise<string[][]> {
    const alice = (await server!.engine.store.getUserByUsername('alice'))!;
    return (await server!.engine.store.listUserSessions(alice.id, Math.floor(Date.now() / 1000))).map((s) => s.amr ?? []);
  }

  it('enrols a passkey on /account, then signs in with it alone and after the password; a cloned counter is refused', { skip, timeout: 90_000 }, async () => {
    const context = await launched!.browser.newContext();
    const { page, problems, requests } = await watchedPage(context);
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable', { enableUI: false });
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    const url = server!.url;
    // Once the test says so (per tab, in sessionStorage), pages see no conditional mediation:
    // the virtual authenticator would otherwise answer every sign-in page's autofill request at once.
    await page.addInitScript(`if (sessionStorage.getItem('no-autofill') === 'yes' && window.PublicKeyCredential) {
      PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);
    }`);

    // 1. Password, then a passkey added on /account.
    await page.goto(`${url}/account`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await page.getByLabel('Username').getAttribute('autocomplete'), 'username webauthn', 'autofill offers passkeys');
    await checkPage(page);
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(PASSWORDS.alice);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await page.getByLabel('Name of a new passkey').fill('Virtual key');
    await page.getByLabel('Your current password, to confirm it is you').fill(PASSWORDS.alice);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByRole('button', { name: 'Create the passkey' }).waitFor();
    await checkPage(page);
    await page.getByRole('button', { name: 'Create the passkey' }).click();
    await page.getByText('The passkey “Virtual key” was added').waitFor();
    assert.ok(await page.getByRole('cell', { name: 'Virtual key', exact: true }).isVisible(), 'listed, with when it was added');
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.equal(credentials.length, 1);
    assert.equal(credentials[0]!.isResidentCredential, true, 'a discoverable credential');

    // 2. Signed out (the cookies go), then the passkey alone: from the autofill request, then the button.
    await context.clearCookies();
    await page.goto(`${url}/account`);
    await page.waitForURL(`${url}/account`);
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    assert.ok(
      (await sessionAmr()).some((amr) => amr.join(' ') === 'hwk user mfa'),
      'a user-verified passkey: multi-factor',
    );
    await page.evaluate("sessionStorage.setItem('no-autofill', 'yes')");
    await context.clearCookies();
    await page.goto(`${url}/account`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    assert.equal((await sessionAmr()).filter((amr) => amr.join(' ') === 'hwk user mfa').length, 2);

    // 3. Signed out, then the password and the passkey as the second step.
    await context.clearCookies();
    await page.goto(`${url}/account`);
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(PASSWORDS.alice);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await checkPage(page);
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    assert.ok((await sessionAmr()).some((amr) => amr.join(' ') === 'pwd hwk user mfa'));

    // 4. The stored counter raised past the authenticator's: a clone has signed since. Refused.
    const alice = (await server!.engine.store.getUserByUsername('alice'))!;
    const passkey = (await server!.engine.store.listUserFactors(alice.id)).find((f) => f.type === 'passkey')!;
    assert.ok(await server!.engine.store.usePasskey(alice.id, passkey.id, 1_000_000, Math.floor(Date.now() / 1000)));
    await context.clearCookies();
    await page.goto(`${url}/account/sign-in`);
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.getByText('signature counter did not move forward').waitFor();
    assert.equal(new URL(page.url()).pathname, '/account/sign-in/passkey');
    await checkPage(page);
    await server!.engine.audit.flush();
    const failures = await server!.engine.audit.query({ type: 'mfa.failed' });
    assert.ok(
      failures.events.some((e) => e.reason === 'cloned_credential' && e.subject === alice.id),
      'audited',
    );

    // The refusal page answered 401: the browser reports that status, nothing else.
    assert.deepEqual(
      problems.filter((p) => !/status of 401/.test(p)),
      [],
    );
    assert.deepEqual(
      requests.filter((r) => new URL(r).origin !== url),
      [],
      'no request leaves Tessera',
    );
    await context.close();
  });
});
