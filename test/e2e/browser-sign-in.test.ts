/**
 * The authorization code flow once, in a real browser: Playwright drives Debian's
 * Chromium through Tessera's actual sign-in and consent pages (their CSP, their form
 * posts and redirects), then the code is redeemed at the token endpoint.
 *
 * Needs /usr/bin/chromium (`apt-get install chromium`; .ci/run installs it). Without
 * it the test is skipped locally, and fails when CI is set: CI must not pass without
 * having run a browser.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { bounded, CHROMIUM, chromiumAvailable as available, launchChromium, skipWithoutChromium as skip, type LaunchedBrowser } from '../support/chromium.js';
import { CALLBACK, makeFixture, PASSWORDS, SECRETS } from '../support/fixture.js';
import { authorizeUrl, pkce } from '../support/sign-in.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

// The client's host does not exist. Requests to it are answered by page.route, except
// the one that follows Tessera's 303: Playwright never routes redirects. Fail that
// lookup inside the browser, at once, rather than asking the machine's DNS.
const NO_CLIENT_HOSTS = '--host-resolver-rules=MAP calendar.test ~NOTFOUND, MAP organizer.test ~NOTFOUND';

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('browser sign-in (Chromium)', { timeout: 60_000 }, () => {
  let launched: LaunchedBrowser | undefined;
  let server: TestServer | undefined;

  after(async () => {
    if (launched) await launched.close();
    if (server) await bounded(server.close(), 5_000);
  });

  it('runs the authorization code flow through the real sign-in and consent pages', { skip, timeout: 45_000 }, async () => {
    assert.ok(available, `CI is set but ${CHROMIUM} is missing: install Debian's chromium package (see .ci/run)`);

    server = await startTestServer({ config: (await makeFixture()).config });
    const origin = new URL(server.url).origin;
    const { verifier, challenge } = pkce();
    const state = 'browser-state-1';
    const nonce = 'browser-nonce-1';
    const url = authorizeUrl(server.url, {
      client_id: 'calendar-app',
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid profile read:calendars',
      state,
      nonce,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });

    launched = await launchChromium([NO_CLIENT_HOSTS]);
    const context = await launched.browser.newContext();
    const page: Page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.setDefaultNavigationTimeout(15_000);

    // Everything the page says is wrong: console errors (CSP violations are reported
    // there by Chromium), uncaught exceptions, and explicit securitypolicyviolation events.
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error at ${page.url()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error at ${page.url()}: ${error.message}`));
    // Init scripts are injected through the DevTools protocol, so the pages' CSP does not block them.
    await page.addInitScript(`document.addEventListener('securitypolicyviolation', (e) => {
      console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI + ' on ' + e.documentURI);
    });`);

    const requests: string[] = [];
    const failed: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('requestfailed', (request) => failed.push(`${request.url()} ${request.failure()?.errorText}`));

    // calendar.test does not exist: answer for it, and remember what reached it. This
    // serves navigations the browser starts itself (Chromium reloads a failed page, for
    // one); the redirect from Tessera's 303 is not routed (Playwright does not route
    // redirects), so the URL the browser was sent to is read from that request instead.
    const routed: string[] = [];
    await page.route('https://calendar.test/**', (route) => {
      routed.push(route.request().url());
      return route.fulfill({ status: 200, contentType: 'text/plain', body: 'callback reached' });
    });

    // Sign in.
    await page.goto(url);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(PASSWORDS.alice);
    await page.getByRole('button', { name: 'Sign in' }).click();

    // Consent.
    await page
      .getByRole('heading', { name: 'Allow access?' })
      .waitFor()
      .catch((e: Error) => assert.fail(`no consent page at ${page.url()} (${problems.join('; ') || 'no console errors'}): ${e.message}`));
    const appName = page.locator('main').getByText('CalendarApp', { exact: true });
    const scope = page.locator('main').getByText('read:calendars', { exact: true });
    assert.ok(await appName.isVisible(), 'the consent page names CalendarApp');
    assert.ok(await scope.isVisible(), 'the consent page lists read:calendars');
    const [sent] = await Promise.all([
      page
        .waitForRequest((r) => r.url().startsWith(`${CALLBACK}?`))
        .catch((e: Error) => assert.fail(`never sent to the callback, at ${page.url()} (${problems.join('; ') || 'no console errors'}): ${e.message}`)),
      page.getByRole('button', { name: 'Allow' }).click(),
    ]);

    // The browser followed the consent form's 303 to the client (CSP form-action let it).
    const from = sent.redirectedFrom();
    assert.ok(from, `the callback was reached by a redirect, not ${sent.url()}`);
    assert.equal(from.method(), 'POST');
    assert.match(from.url().slice(origin.length), /^\/interaction\/[^/]+\/consent$/);
    assert.ok(from.url().startsWith(`${origin}/`), from.url());
    const landed = await sent.response();
    if (landed) assert.equal(await landed.text(), 'callback reached');
    else assert.equal(sent.failure()?.errorText, 'net::ERR_NAME_NOT_RESOLVED', 'the redirect to calendar.test fails only for want of the host');

    const callback = new URL(sent.url());
    assert.equal(`${callback.origin}${callback.pathname}`, CALLBACK);
    const params = Object.fromEntries(callback.searchParams);
    assert.equal(params.error, undefined, `authorization error: ${callback.search}`);
    assert.equal(params.state, state);
    assert.equal(params.iss, server.url);
    assert.match(params.code ?? '', /^tsr_ac_/);
    for (const u of routed) assert.ok(u.startsWith(`${CALLBACK}?`), `only the callback was routed: ${u}`);

    // Redeem the code as calendar-app.
    const token = await server.post(
      '/token',
      { grant_type: 'authorization_code', code: params.code!, code_verifier: verifier, redirect_uri: CALLBACK },
      basic('calendar-app', SECRETS.calendar),
    );
    assert.equal(token.status, 200, JSON.stringify(token.body));
    assert.equal(token.body.token_type, 'Bearer');
    assert.equal(typeof token.body.access_token, 'string');
    assert.match(token.body.refresh_token as string, /^tsr_rt_/);
    assert.equal(typeof token.body.id_token, 'string');
    const id = claimsOf(token.body.id_token as string);
    assert.equal(id.iss, server.url);
    assert.equal(id.aud, 'calendar-app');
    assert.equal(id.nonce, nonce);

    // The pages were clean and talked to no one but Tessera and the client's callback.
    assert.deepEqual(problems, []);
    assert.deepEqual(
      failed.filter((f) => !f.startsWith(sent.url())),
      [],
    );
    const elsewhere = requests.filter((r) => {
      const u = new URL(r);
      return u.origin !== origin && !(u.origin === 'https://calendar.test');
    });
    assert.deepEqual(elsewhere, [], `requests to other hosts: ${JSON.stringify(requests)}`);
    assert.ok(requests.some((r) => r.startsWith(`${origin}/authorize?`)));
    assert.ok(
      requests.some((r) => /\/interaction\/[^/]+\/login$/.test(r)),
      `a sign-in form post: ${JSON.stringify(requests)}`,
    );
    assert.ok(
      requests.some((r) => /\/interaction\/[^/]+\/consent$/.test(r)),
      `a consent form post: ${JSON.stringify(requests)}`,
    );
  });

  // Regression: signing in may redirect straight to the client (no consent step), and
  // the sign-in page's CSP form-action must allow that; an HTTP-level test cannot see it.
  it('signs in to a first-party app and lands on its callback with no consent step', { skip, timeout: 30_000 }, async () => {
    assert.ok(launched && server, 'runs after the first test, in the same browser and server');
    const page: Page = await (await launched.browser.newContext()).newPage();
    page.setDefaultTimeout(10_000);
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().includes('ERR_NAME_NOT_RESOLVED')) problems.push(message.text());
    });
    const redirect = 'https://organizer.test/callback';
    await page.goto(authorizeUrl(server.url, { client_id: 'first-party', response_type: 'code', redirect_uri: redirect, scope: 'openid', state: 'fp' }));
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(PASSWORDS.alice);
    const [sent] = await Promise.all([
      page
        .waitForRequest((r) => r.url().startsWith(`${redirect}?`))
        .catch((e: Error) => assert.fail(`never sent to the callback (${problems.join('; ') || 'no console errors'}): ${e.message}`)),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    const params = Object.fromEntries(new URL(sent.url()).searchParams);
    assert.equal(params.state, 'fp');
    assert.match(params.code ?? '', /^tsr_ac_/);
    assert.deepEqual(problems, []);
  });
});
