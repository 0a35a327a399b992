/**
 * A desktop MCP client that registered itself with a private-use redirect URI (Cursor's
 * cursor://anysphere.cursor-retrieval/oauth/callback), signed in through the real pages
 * in Chromium: the consent page marks it unverified and names its scheme, and the
 * browser may follow the consent form's redirect to that scheme. A redirect URI with no
 * web origin once put "null" in the page's CSP form-action, and Chromium then refused
 * to send the form at all.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registrationPolicy } from '../../src/core/registration/registration-policy.js';
import { bounded, CHROMIUM, chromiumAvailable, launchChromium, skipWithoutChromium as skip, watchedPage, type LaunchedBrowser } from '../support/chromium.js';
import { makeFixture, ORGANIZER, PASSWORDS } from '../support/fixture.js';
import { authorizeUrl, pkce } from '../support/sign-in.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const REDIRECT = 'cursor://anysphere.cursor-retrieval/oauth/callback';

describe('a native app with a private-use redirect scheme, in Chromium', { timeout: 60_000 }, () => {
  let launched: LaunchedBrowser | undefined;
  let server: TestServer | undefined;

  before(async () => {
    if (skip) return;
    assert.ok(chromiumAvailable, `CI is set but ${CHROMIUM} is missing`);
    server = await startTestServer({ config: (await makeFixture()).config, registration: registrationPolicy({ enabled: true }) });
    launched = await launchChromium();
  });
  after(async () => {
    await launched?.close();
    if (server) await bounded(server.close(), 5_000);
  });

  it('shows the unverified app and its scheme, and sends the browser on to cursor:// with the code', { skip, timeout: 45_000 }, async () => {
    const registered = await fetch(`${server!.url}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Cursor', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' }),
    });
    assert.equal(registered.status, 201);
    const clientId = ((await registered.json()) as { client_id: string }).client_id;
    const { verifier, challenge } = pkce();
    const params = {
      client_id: clientId,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'read:calendars',
      resource: ORGANIZER,
      state: 'st',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };

    const context = await launched!.browser.newContext();
    const { page, problems } = await watchedPage(context);
    await page.goto(authorizeUrl(server!.url, params));
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(PASSWORDS.alice);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    const warning = page.locator('#unverified');
    assert.match(await warning.innerText(), /Unverified application/);
    assert.match(await warning.innerText(), /you go back to cursor:\/\/anysphere\.cursor-retrieval\./);

    const [consented] = await Promise.all([
      page
        .waitForResponse((r) => r.request().method() === 'POST' && /\/interaction\/[^/]+\/consent$/.test(r.url()))
        .catch((e: Error) => assert.fail(`the consent form was not sent (${problems.join('; ') || 'no console errors'}): ${e.message}`)),
      page.getByRole('button', { name: 'Allow' }).click(),
    ]);
    assert.equal(consented.status(), 303);
    const location = new URL((await consented.headerValue('location'))!);
    assert.equal(`${location.protocol}//${location.host}${location.pathname}`, REDIRECT);
    assert.deepEqual(
      problems.filter((p) => /CSP/.test(p)),
      [],
    );

    const token = await fetch(`${server!.url}/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: location.searchParams.get('code')!,
        redirect_uri: REDIRECT,
        client_id: clientId,
        code_verifier: verifier,
      }),
    });
    assert.equal(token.status, 200);
    await context.close();
  });
});
