/**
 * A person with a second factor signs in through an upstream provider in Chromium: the
 * provider's answer brings the browser back to Tessera, which asks for a code, then
 * consent, then the client gets a code whose tokens say two factors. Then the same
 * when the answer opens in another browser, which has no Tessera cookie (an app switch
 * on a phone): the code is asked for there, not "this sign-in cannot be completed".
 * Clock frozen; codes computed by the test.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { FrozenClock } from '../../src/core/clock.js';
import { validateConfig } from '../../src/core/config/load.js';
import {
  bounded,
  CHROMIUM,
  chromiumAvailable as available,
  launchChromium,
  skipWithoutChromium as skip,
  watchedPage,
  type LaunchedBrowser,
} from '../support/chromium.js';
import { authorizeUrl, pkce } from '../support/sign-in.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';
import { totpAt } from '../support/totp.js';
import { corpProvider, startUpstreamOp, type UpstreamOp } from '../support/upstream-op.js';

const CALLBACK = 'https://corp-app.test/callback';
const SECRET = 'corp-app-secret-0123456789';
const NO_CLIENT_HOST = '--host-resolver-rules=MAP corp-app.test ~NOTFOUND';
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('browser sign-in through an upstream provider with a second factor (Chromium)', { timeout: 60_000 }, () => {
  let launched: LaunchedBrowser | undefined;
  let server: TestServer | undefined;
  let op: UpstreamOp | undefined;
  const clock = new FrozenClock(1_900_000_005);
  let secret = '';

  after(async () => {
    if (launched) await launched.close();
    if (server) await bounded(server.close(), 5_000);
    await op?.close();
  });

  it('upstream → back at Tessera → code → consent → tokens with amr otp', { skip, timeout: 45_000 }, async () => {
    assert.ok(available, `CI is set but ${CHROMIUM} is missing: install Debian's chromium package (see .ci/run)`);
    server = await startTestServer({ clock });
    op = await startUpstreamOp(`${server.url}/upstream/corp/callback`);
    await server.engine.apply(
      validateConfig(
        {
          users: [{ username: 'dana', password: 'dana-password-1', email: 'dana@corp.test', emailVerified: true }],
          identityProviders: [corpProvider(op)],
          clients: [{ clientId: 'corp-app', name: 'Corp App', secrets: [SECRET], grantTypes: ['authorization_code'], redirectUris: [CALLBACK] }],
        },
        'test',
        { apis: [], roles: [] },
      ),
    );
    const dana = (await server.engine.store.getUserByUsername('dana'))!;
    const enrolment = server.engine.mfa.startTotp(dana);
    secret = enrolment.secret;
    const enrolled = await server.engine.mfa.confirmTotp(dana, enrolment.sealed, totpAt(secret, clock.now()), {}, { type: 'user', id: dana.id }, '127.0.0.1');
    assert.ok(enrolled.ok);
    clock.advance(30);
    op.next = { user: { sub: 'dana-upstream', email: 'dana@corp.test', email_verified: true, preferred_username: 'dana' } };

    const { verifier, challenge } = pkce();
    const url = authorizeUrl(server.url, {
      client_id: 'corp-app',
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid',
      state: 'up-mfa',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    launched = await launchChromium([NO_CLIENT_HOST]);
    const { page, problems } = await watchedPage(await launched.browser.newContext());
    await page.goto(url);
    await page.getByRole('link', { name: 'Sign in with Corp' }).click();
    await page
      .getByRole('heading', { name: 'Enter your code' })
      .waitFor()
      .catch(async (e: Error) => assert.fail(`no code page at ${page.url()}: ${(await page.content()).slice(0, 600)} ${e.message}`));
    await page.getByLabel('The 6-digit code from your authenticator app').fill(totpAt(secret, clock.now()));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    const [sent] = await Promise.all([page.waitForRequest((r) => r.url().startsWith(`${CALLBACK}?`)), page.getByRole('button', { name: 'Allow' }).click()]);
    const code = new URL(sent.url()).searchParams.get('code');
    assert.ok(code);
    const tokens = await server.post(
      '/token',
      { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier },
      basic('corp-app', SECRET),
    );
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    const idToken = claimsOf((tokens.body as { id_token: string }).id_token);
    assert.equal(idToken.sub, dana.id);
    assert.ok((idToken.amr as string[]).includes('otp'), JSON.stringify(idToken));
    assert.deepEqual(problems, []);
  });

  it("the answer opened in another browser, without Tessera's cookie: the code is asked for there, then the app gets its code", {
    skip,
    timeout: 45_000,
  }, async () => {
    clock.advance(30);
    const { verifier, challenge } = pkce();
    const url = authorizeUrl(server!.url, {
      client_id: 'corp-app',
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid',
      state: 'up-mfa-2',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const started = await launched!.browser.newContext();
    const { page: first } = await watchedPage(started);
    await first.goto(url);
    const providerStart = await first.getByRole('link', { name: 'Sign in with Corp' }).getAttribute('href');
    // The provider's answer does not come back to this browser: its hops are made with the
    // context's own cookies (Playwright cannot stop a redirect), up to the answer, which is taken elsewhere.
    let at = new URL(providerStart!, url).href;
    let answer = '';
    for (let hops = 0; hops < 20 && !answer; hops++) {
      const response = await started.request.get(at, { maxRedirects: 0 });
      const location = response.headers().location;
      assert.ok(location, `a redirect at ${at}: ${response.status()}`);
      at = new URL(location, at).href;
      if (at.startsWith(`${server!.url}/upstream/corp/callback?`)) answer = at;
    }
    assert.ok(answer, 'the provider answered');

    const elsewhere = await launched!.browser.newContext();
    assert.deepEqual(await elsewhere.cookies(), []);
    const { page, problems } = await watchedPage(elsewhere);
    await page.goto(answer);
    await page
      .getByRole('heading', { name: 'Enter your code' })
      .waitFor()
      .catch(async (e: Error) => assert.fail(`no code page at ${page.url()}: ${(await page.content()).slice(0, 600)} ${e.message}`));
    assert.ok(
      (await elsewhere.cookies()).some((c) => c.name === 'tsr_browser'),
      'a browser cookie of its own',
    );
    await page.getByLabel('The 6-digit code from your authenticator app').fill(totpAt(secret, clock.now()));
    // dana allowed Corp App before: straight back to it.
    const [sent] = await Promise.all([page.waitForRequest((r) => r.url().startsWith(`${CALLBACK}?`)), page.getByRole('button', { name: 'Continue' }).click()]);
    const callback = new URL(sent.url());
    assert.equal(callback.searchParams.get('state'), 'up-mfa-2');
    const tokens = await server!.post(
      '/token',
      { grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: CALLBACK, code_verifier: verifier },
      basic('corp-app', SECRET),
    );
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    assert.equal(claimsOf((tokens.body as { id_token: string }).id_token).acr, 'urn:tessera:loa:2fa');
    assert.deepEqual(problems, []);
  });
});
