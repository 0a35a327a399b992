/**
 * The account page in a real browser (Debian's Chromium through playwright-core):
 *   1. a user signs in at /account, creates a personal access token, sees it work at
 *      introspection, revokes it, and it stops working;
 *   2. a user who let CalendarApp in revokes its access on /account, and the app's
 *      refresh token is refused at /token (invalid_grant).
 * Both watch for CSP violations and console errors, and save screenshots of the main
 * pages to test-artifacts/screenshots/ (gitignored). Skipped without /usr/bin/chromium
 * unless CI is set, like browser-sign-in.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { bounded, CHROMIUM, chromiumAvailable as available, launchChromium, skipWithoutChromium as skip, type LaunchedBrowser } from '../support/chromium.js';
import { CALLBACK, makeFixture, PASSWORDS, SECRETS } from '../support/fixture.js';
import { authorizeUrl, pkce } from '../support/sign-in.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

const SCREENSHOTS = 'test-artifacts/screenshots';

describe('account page (Chromium)', { timeout: 90_000 }, () => {
  let launched: LaunchedBrowser | undefined;
  let server: TestServer | undefined;
  const introspect = (token: string) => server!.post('/introspect', { token }, basic('introspector', SECRETS.introspector));

  before(async () => {
    if (skip) return;
    assert.ok(available, `CI is set but ${CHROMIUM} is missing: install Debian's chromium package (see .ci/run)`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startTestServer({ config: (await makeFixture()).config });
    launched = await launchChromium(['--host-resolver-rules=MAP calendar.test ~NOTFOUND']);
  });

  after(async () => {
    if (launched) await launched.close();
    if (server) await bounded(server.close(), 5_000);
  });

  /** Records the page's CSP violations, console errors and uncaught exceptions in `problems`. */
  async function watch(page: Page, problems: string[]): Promise<Page> {
    page.setDefaultTimeout(10_000);
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().includes('ERR_NAME_NOT_RESOLVED')) problems.push(`console error at ${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error at ${page.url()}: ${e.message}`));
    await page.addInitScript(`document.addEventListener('securitypolicyviolation', (e) => {
      console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI);
    });`);
    return page;
  }

  /** A fresh browser context and a watched page. */
  async function openPage(viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
    const context = await launched!.browser.newContext(viewport ? { viewport } : {});
    const problems: string[] = [];
    return { context, page: await watch(await context.newPage(), problems), problems };
  }

  async function signIn(page: Page, username: keyof typeof PASSWORDS): Promise<void> {
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(PASSWORDS[username]);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('creates a personal access token, which works until it is revoked there', { skip, timeout: 45_000 }, async () => {
    const { context, page, problems } = await openPage();
    await page.goto(`${server!.url}/account`);
    assert.equal(new URL(page.url()).pathname, '/account/sign-in', 'signed out: sent to sign in');
    await page.screenshot({ path: `${SCREENSHOTS}/account-sign-in.png` });
    await signIn(page, 'alice');
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/account', 'and back');
    assert.ok(await page.getByText('This browser').isVisible(), 'the current session is marked');
    await page.screenshot({ path: `${SCREENSHOTS}/account.png`, fullPage: true });

    const form = page.locator('form', { has: page.getByRole('button', { name: 'Create personal access token' }) });
    await form.getByLabel('Name').fill('laptop script');
    await form.getByLabel(/read:calendars/).check();
    await form.getByLabel('Expires after').selectOption({ label: '30 days' });
    await form.getByRole('button', { name: 'Create personal access token' }).click();
    const secretBox = page.getByLabel('Your new token');
    await secretBox.waitFor();
    const secret = await secretBox.inputValue();
    assert.match(secret, /^tsr_pat_/);
    await page.screenshot({ path: `${SCREENSHOTS}/account-token-created.png`, fullPage: true });

    const active = await introspect(secret);
    assert.equal(active.body.active, true, 'the new token works');
    assert.equal(active.body.scope, 'read:calendars');
    assert.equal(active.body.token_kind, 'personal_access_token');

    await page.goto(`${server!.url}/account`);
    assert.ok(!(await page.content()).includes(secret), 'the secret is shown once only');
    await page.getByRole('button', { name: 'Revoke laptop script' }).click();
    await page.getByText('The token was revoked.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Revoke laptop script' }).count(), 0);
    assert.deepEqual((await introspect(secret)).body, { active: false }, 'the revoked token no longer works');
    assert.deepEqual(problems, []);
    await context.close();
  });

  it("revokes an app's access, after which its refresh token is refused", { skip, timeout: 45_000 }, async () => {
    const { context, page, problems } = await openPage();
    await page.route('https://calendar.test/**', (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'callback reached' }));
    const { verifier, challenge } = pkce();
    await page.goto(
      authorizeUrl(server!.url, {
        client_id: 'calendar-app',
        response_type: 'code',
        redirect_uri: CALLBACK,
        scope: 'openid read:calendars',
        state: 's',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    );
    await signIn(page, 'alice');
    await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    const [sent] = await Promise.all([page.waitForRequest((r) => r.url().startsWith(`${CALLBACK}?`)), page.getByRole('button', { name: 'Allow' }).click()]);
    const code = new URL(sent.url()).searchParams.get('code')!;
    const asCalendar = basic('calendar-app', SECRETS.calendar);
    const tokens = await server!.post('/token', { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: CALLBACK }, asCalendar);
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));

    // The same browser session opens the account page without signing in again. In a new
    // tab: the first one is still navigating to Chromium's error page for the callback's
    // made-up host (Playwright never routes redirects), which would interrupt a goto there.
    const account = await watch(await context.newPage(), problems);
    await account.goto(`${server!.url}/account`);
    await account.getByRole('heading', { name: 'Connected apps' }).waitFor();
    const apps = account.locator('#apps');
    assert.ok(await apps.getByText('CalendarApp').isVisible());
    await account.screenshot({ path: `${SCREENSHOTS}/account-connected-apps.png`, fullPage: true });
    await apps.getByRole('button', { name: 'Revoke access of CalendarApp' }).click();
    await account.getByText("The app's access was revoked.").waitFor();
    assert.ok(await account.getByText('You have not allowed any app to act for you.').isVisible(), 'the empty state');

    const refused = await server!.post('/token', { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token as string }, asCalendar);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error, 'invalid_grant');
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('fits a phone screen and is usable from the keyboard', { skip, timeout: 30_000 }, async () => {
    const { context, page, problems } = await openPage({ width: 390, height: 844 });
    await page.goto(`${server!.url}/account`);
    await signIn(page, 'alice');
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/account-phone.png`, fullPage: true });
    // Strings, not functions: they run in the page, and this project compiles without the DOM types.
    const overflow = (await page.evaluate(`(() => {
      const width = document.documentElement.clientWidth;
      const wide = [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > width + 1 && !e.closest('.table'));
      return { by: document.documentElement.scrollWidth - width, elements: wide.slice(0, 5).map((e) => e.tagName + '.' + e.className) };
    })()`)) as { by: number; elements: string[] };
    assert.ok(overflow.by <= 0, `no sideways scrolling of the page (${overflow.by}px: ${overflow.elements.join(', ')})`);
    // Tab from the top reaches the sign-out button, then the section links.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement?.textContent?.trim()'), 'Sign out');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement?.textContent?.trim()'), 'Connected apps');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
