/**
 * "Sign in with Corp" in a real browser: Chromium opens the client's authorization
 * request at Tessera, clicks the provider's button, goes through a real upstream
 * OpenID Connect provider (oidc-provider on loopback, whose sign-in step the test
 * plays), comes back to Tessera, consents, and reaches the client with a code that
 * redeems for tokens of a user created just in time. The pages must be clean.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
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
import { corpProvider, startUpstreamOp, type UpstreamOp } from '../support/upstream-op.js';

const API = 'https://api.corp-tools.test';
const CALLBACK = 'https://corp-app.test/callback';
const SECRET = 'corp-app-secret-0123456789';
// Playwright does not route redirects: the 303 to the client fails in the browser, at once.
const NO_CLIENT_HOST = '--host-resolver-rules=MAP corp-app.test ~NOTFOUND';
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('browser sign-in through an upstream provider (Chromium)', { timeout: 60_000 }, () => {
  let launched: LaunchedBrowser | undefined;
  let server: TestServer | undefined;
  let op: UpstreamOp | undefined;

  after(async () => {
    if (launched) await launched.close();
    if (server) await bounded(server.close(), 5_000);
    await op?.close();
  });

  it('authorize → Sign in with Corp → upstream → back → consent → code → tokens', { skip, timeout: 45_000 }, async () => {
    assert.ok(available, `CI is set but ${CHROMIUM} is missing: install Debian's chromium package (see .ci/run)`);
    server = await startTestServer();
    op = await startUpstreamOp(`${server.url}/upstream/corp/callback`);
    await server.engine.apply(
      validateConfig(
        {
          apis: [{ identifier: API, name: 'Corp tools', scopes: ['read'], claims: { roles: 'user.roles' } }],
          roles: [{ name: 'staff', permissions: { [API]: ['read'] } }],
          identityProviders: [corpProvider(op, { roleMappings: [{ claim: 'groups', value: 'staff', roles: ['staff'] }] })],
          clients: [
            {
              clientId: 'corp-app',
              name: 'Corp App',
              secrets: [SECRET],
              grantTypes: ['authorization_code'],
              redirectUris: [CALLBACK],
              api: API,
              scopes: ['read'],
            },
          ],
        },
        'test',
        { apis: [], roles: [] },
      ),
    );
    op.next = { user: { sub: 'dana-upstream', email: 'dana@corp.test', email_verified: true, preferred_username: 'dana', groups: ['staff'] } };

    const { verifier, challenge } = pkce();
    const url = authorizeUrl(server.url, {
      client_id: 'corp-app',
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid read',
      state: 'chromium-upstream-1',
      nonce: 'chromium-nonce-1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });

    launched = await launchChromium([NO_CLIENT_HOST]);
    const { page, problems } = await watchedPage(await launched.browser.newContext());
    await page.goto(url);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('link', { name: 'Sign in with Corp' }).click();

    // The upstream provider signs dana in on its own (the test plays its page) and sends
    // the browser back to Tessera, which asks for consent for its client.
    await page
      .getByRole('heading', { name: 'Allow access?' })
      .waitFor()
      .catch((e: Error) => assert.fail(`no consent page at ${page.url()} (${problems.join('; ') || 'no console errors'}): ${e.message}`));
    assert.equal(new URL(page.url()).origin, new URL(server.url).origin);
    const [sent] = await Promise.all([page.waitForRequest((r) => r.url().startsWith(`${CALLBACK}?`)), page.getByRole('button', { name: 'Allow' }).click()]);

    const callback = new URL(sent.url());
    assert.equal(callback.searchParams.get('state'), 'chromium-upstream-1');
    const code = callback.searchParams.get('code');
    assert.ok(code, sent.url());
    const tokens = await server.post(
      '/token',
      { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier },
      basic('corp-app', SECRET),
    );
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    const { id_token, access_token } = tokens.body as { id_token: string; access_token: string };
    const user = await server.engine.store.getUser(String(claimsOf(id_token).sub));
    assert.ok(user, 'the ID token names a user created just in time');
    assert.equal(user.email, 'dana@corp.test', JSON.stringify(user));
    assert.deepEqual(claimsOf(access_token).roles, ['staff']);
    assert.deepEqual(problems, []);
  });
});
