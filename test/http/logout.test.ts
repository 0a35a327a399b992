/** RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readForm, TestBrowser } from '../support/browser.js';
import { CALLBACK, makeFixture, SECRETS } from '../support/fixture.js';
import { authorize, authorizeUrl } from '../support/sign-in.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

describe('logout', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config });
  });
  after(() => server.close());

  async function signedIn(): Promise<{ browser: TestBrowser; idToken: string }> {
    const browser = new TestBrowser();
    const { code } = await authorize(browser, server.url, {
      client_id: 'calendar-app',
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid',
      nonce: 'n',
    });
    const tokens = await server.post(
      '/token',
      { grant_type: 'authorization_code', code: code!, redirect_uri: CALLBACK },
      basic('calendar-app', SECRETS.calendar),
    );
    return { browser, idToken: tokens.body.id_token as string };
  }
  const isSignedIn = async (browser: TestBrowser) =>
    (
      await browser.get(authorizeUrl(server.url, { client_id: 'calendar-app', response_type: 'code', redirect_uri: CALLBACK, scope: 'openid', prompt: 'none' }))
    ).location!.includes('code=');

  it('signs out at once with a valid id_token_hint and returns to a registered URI with state', async () => {
    const { browser, idToken } = await signedIn();
    assert.equal(await isSignedIn(browser), true);
    const url = `${server.url}/logout?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: 'https://calendar.test/bye', state: 'bye-state' })}`;
    const res = await browser.get(url);
    assert.equal(res.status, 303);
    assert.equal(res.location, 'https://calendar.test/bye?state=bye-state');
    assert.equal(await isSignedIn(browser), false);
  });

  it('asks for confirmation without a hint, and the form is CSRF-protected', async () => {
    const { browser } = await signedIn();
    const page = await browser.get(`${server.url}/logout`);
    assert.match(page.html, /Sign out\?/);
    const form = readForm(page.html);
    const forged = await browser.post(form.action, { logout: 'yes' });
    assert.equal(forged.status, 403);
    assert.equal(await isSignedIn(browser), true);
    const done = await browser.post(form.action, { ...form.fields, logout: 'yes' });
    assert.equal(done.status, 200);
    assert.match(done.html, /signed out/);
    assert.equal(await isSignedIn(browser), false);
  });

  it('refuses an unregistered post_logout_redirect_uri and a forged hint', async () => {
    const { browser, idToken } = await signedIn();
    const bad = await browser.get(`${server.url}/logout?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: 'https://evil.test/' })}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.location, undefined);
    const forged = await browser.get(`${server.url}/logout?${new URLSearchParams({ id_token_hint: `${idToken.slice(0, -3)}abc` })}`);
    assert.equal(forged.status, 400);
    assert.equal(await isSignedIn(browser), true);
  });

  it('returns to the client even when there is no session', async () => {
    const { idToken } = await signedIn();
    const res = await new TestBrowser().get(
      `${server.url}/logout?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: 'https://calendar.test/bye' })}`,
    );
    assert.equal(res.location, 'https://calendar.test/bye');
  });
});
