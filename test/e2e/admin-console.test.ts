/**
 * The admin console in a real browser (Debian's Chromium through playwright-core): an
 * administrator signs in at /admin through Tessera's own sign-in page, creates an API
 * and an application, mints a token for it on the developer tools page, and that token
 * then passes the resource-server SDK for the new API. A user who is not an
 * administrator gets a clear page instead of a console. Every page must be free of CSP
 * violations and console errors and talk to no other host.
 *
 * Screenshots of the main pages are written to test-artifacts/screenshots (gitignored).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { createAuthenticator } from '../../packages/resource-server/src/index.js';
import { chromiumAvailable, CHROMIUM, launchChromium, skipWithoutChromium, watchedPage, type LaunchedBrowser } from '../support/chromium.js';
import { makeFixture, PASSWORDS } from '../support/fixture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const SCREENSHOTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'screenshots');
const API = 'https://api.e2e.test';

async function snap(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function openSection(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
}

describe('admin console (Chromium)', { timeout: 120_000 }, () => {
  let chromium: LaunchedBrowser | undefined;
  let server: TestServer | undefined;

  before(async () => {
    if (skipWithoutChromium) return;
    assert.ok(chromiumAvailable, `CI is set but ${CHROMIUM} is missing: install Debian's chromium package (see .ci/run)`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startTestServer({ config: (await makeFixture()).config });
    chromium = await launchChromium();
  });
  after(async () => {
    await chromium?.close();
    await server?.close();
  });

  it('lets an admin create an API and an app, and mint a token that the API accepts', { skip: skipWithoutChromium, timeout: 90_000 }, async () => {
    const origin = new URL(server!.url).origin;
    const context = await chromium!.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const { page, problems, requests } = await watchedPage(context);

    await page.goto(`${server!.url}/admin`);
    await signIn(page, 'root', 'root-password-123');
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    assert.match(page.url(), /\/admin\/(#.*)?$/, 'the code and state are gone from the address bar');
    assert.ok(await page.getByText('Signed in as root').isVisible());
    await page.locator('svg.chart').first().waitFor();
    assert.equal(await page.locator('svg.chart').count(), 3, 'three charts');
    await snap(page, 'overview');

    // An API with a scope; a bad identifier first, to see the API's field error.
    await openSection(page, 'APIs');
    await page.getByRole('button', { name: 'New API' }).click();
    await page.getByLabel('Identifier (the token audience)').fill('not a uri');
    await page.getByLabel('Name', { exact: true }).fill('E2E API');
    await page.getByRole('button', { name: 'Create API' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /body\.identifier/);
    assert.equal(await page.getByLabel('Identifier (the token audience)').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Identifier (the token audience)').fill(API);
    await page.getByLabel('Scopes').fill('read:things = Read things\nwrite:things');
    await page.getByRole('button', { name: 'Create API' }).click();
    await page.getByRole('cell', { name: API, exact: true }).waitFor();
    await snap(page, 'apis');

    // An application allowed read:things on it; its secret is shown once.
    await openSection(page, 'Applications');
    await page.getByRole('button', { name: 'New application' }).click();
    await page.getByLabel('Client id').fill('e2e-app');
    await page.getByLabel('Name', { exact: true }).fill('E2E App');
    await page.getByLabel('API (default audience)').selectOption(API);
    await page.getByLabel('Scopes on that API').fill('read:things');
    await page.getByRole('button', { name: 'Create application' }).click();
    const secret = page.getByLabel('Client secret of e2e-app');
    await secret.waitFor();
    assert.ok((await secret.inputValue()).length >= 16);
    await page.getByRole('cell', { name: 'e2e-app', exact: true }).waitFor();
    await snap(page, 'applications');

    // Mint a token for the application on the developer tools page, and inspect it.
    await openSection(page, 'Developer tools');
    await page.getByLabel('API', { exact: true }).selectOption(API);
    await page.getByLabel('Application').selectOption('e2e-app');
    await page.getByLabel('Scopes').fill('read:things');
    await page.getByRole('button', { name: 'Mint token' }).click();
    const minted = page.getByLabel('Access token');
    await minted.waitFor();
    const token = await minted.inputValue();
    const curl = await page.getByLabel('Call the API with it').inputValue();
    assert.equal(curl, `curl -H 'Authorization: Bearer ${token}' '${API}'`);
    await page.getByRole('button', { name: 'Inspect this token' }).click();
    await page.locator('[data-verdict="true"]').waitFor();
    await snap(page, 'dev-tools');

    // The token works against the new API: the resource-server SDK accepts it.
    const auth = createAuthenticator({ issuer: server!.url, audience: API });
    const result = await auth.authenticate({ method: 'GET', url: '/things', headers: { authorization: `Bearer ${token}` } });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
    assert.equal(result.principal.subject, 'e2e-app');
    assert.deepEqual(result.principal.scopes, ['read:things']);
    await auth.close();

    // A token that is not valid is explained.
    await page.getByLabel('Token', { exact: true }).fill(`${token.slice(0, -3)}abc`);
    await page.getByRole('button', { name: 'Inspect', exact: true }).click();
    await page.locator('[data-verdict="false"]').waitFor();
    assert.match(await page.locator('.inspection .reasons').innerText(), /bad signature/);

    // The other main pages render.
    await openSection(page, 'Users');
    await page.getByRole('cell', { name: 'alice', exact: true }).waitFor();
    await snap(page, 'users');
    // The administrator's own sign-in session is listed (this browser's).
    await page.getByRole('group', { name: 'Actions for root' }).getByRole('button', { name: 'Sessions' }).click();
    const sessions = page.getByRole('region', { name: 'Sessions of root' });
    await sessions.locator('tbody tr').first().waitFor();
    assert.match(await sessions.innerText(), /HeadlessChrome|Chrome/);
    await page.getByRole('group', { name: 'Actions for root' }).getByRole('button', { name: 'Grants' }).click();
    await page.getByText('No application holds a grant from root.').waitFor();
    await openSection(page, 'Audit log');
    await page.locator('code', { hasText: 'management.changed' }).first().waitFor();
    await page.getByLabel('Type').selectOption('token.issued');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/#audit\?type=token\.issued/);
    await page.locator('tbody code', { hasText: 'token.issued' }).first().waitFor();
    assert.equal(await page.locator('tbody code', { hasText: 'management.changed' }).count(), 0);
    await snap(page, 'audit');
    await openSection(page, 'Signing keys');
    await page.getByRole('cell', { name: 'current' }).first().waitFor();
    await openSection(page, 'Tokens');
    await page.getByText('Choose whose tokens to see.').waitFor();

    // Narrow screens get the same console.
    await page.setViewportSize({ width: 390, height: 844 });
    await openSection(page, 'Overview');
    await snap(page, 'overview-mobile');

    // An expired token: the console signs in again (the sign-in session makes it a
    // round trip without a form) and comes back to the page that was asked for.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.evaluate(`(() => {
      const session = JSON.parse(sessionStorage.getItem('tessera.console.session'));
      sessionStorage.setItem('tessera.console.session', JSON.stringify({ ...session, expiresAt: 0 }));
    })()`);
    const authorizeCalls = requests.filter((r) => r.includes('/authorize?')).length;
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Roles', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Roles', exact: true }).waitFor();
    assert.equal(requests.filter((r) => r.includes('/authorize?')).length, authorizeCalls + 1, 'one new authorization request');
    assert.match(page.url(), /\/admin\/#roles$/);

    // Signing out ends the sign-in session too.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Signed out' }).waitFor();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();

    // The browser logs each refused fetch; the one 400 is the bad identifier sent on purpose.
    assert.deepEqual(
      problems.filter((p) => !/status of 400/.test(p)),
      [],
    );
    assert.equal(problems.length, 1, problems.join('\n'));
    const elsewhere = requests.filter((r) => new URL(r).origin !== origin);
    assert.deepEqual(elsewhere, [], 'the console loads nothing from other hosts');
    await context.close();
  });

  it('tells a user who is not an administrator so, instead of showing the console', { skip: skipWithoutChromium, timeout: 60_000 }, async () => {
    const context = await chromium!.browser.newContext();
    const { page, problems } = await watchedPage(context);
    await page.goto(`${server!.url}/admin/`);
    await signIn(page, 'alice', PASSWORDS.alice);
    await page.getByRole('heading', { name: 'You are not an administrator' }).waitFor();
    assert.ok(await page.getByText('alice', { exact: true }).isVisible());
    assert.equal(await page.getByRole('navigation', { name: 'Sections' }).count(), 0, 'no console navigation');
    await snap(page, 'not-an-administrator');
    // 403s from the management API are what told the console; they show as console
    // errors of the failed fetch, nothing else may.
    assert.deepEqual(
      problems.filter((p) => !/403/.test(p)),
      [],
    );
    await context.close();
  });
});
