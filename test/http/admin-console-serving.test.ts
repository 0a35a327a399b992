/**
 * How the admin console is served: one HTML page with a strict CSP and no inline code,
 * static files only from its own folder (with ETags), and the console's built-in
 * first-party client, whose PKCE flow gives a management API token that works for an
 * administrator and is refused (403) for anyone else.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CONSOLE_CLIENT_ID } from '../../src/management/console-client.js';
import { TestBrowser, type Page } from '../support/browser.js';
import { makeFixture, PASSWORDS } from '../support/fixture.js';
import { authorizeUrl, pkce, submitSignIn } from '../support/sign-in.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('admin console serving', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config });
  });
  after(() => server.close());

  it('serves /admin/ with a strict CSP and no inline script or style', async () => {
    const moved = await fetch(`${server.url}/admin`, { redirect: 'manual' });
    assert.equal(moved.status, 308);
    assert.equal(moved.headers.get('location'), `${server.url}/admin/`);
    const response = await fetch(`${server.url}/admin/`);
    assert.equal(response.status, 200);
    const csp = response.headers.get('content-security-policy') ?? '';
    for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"])
      assert.ok(csp.includes(directive), `${directive} in ${csp}`);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const html = await response.text();
    assert.doesNotMatch(html, /<style|<script(?![^>]*\bsrc=)| style=| on\w+=/);
    assert.match(html, new RegExp(`<meta name="tessera-client-id" content="${CONSOLE_CLIENT_ID}">`));
    for (const [, src] of html.matchAll(/(?:src|href)="(assets\/[^"]+)"/g)) {
      const asset = await fetch(`${server.url}/admin/${src}`);
      assert.equal(asset.status, 200, src);
    }
  });

  it('serves its files with their types and ETags, and nothing else', async () => {
    const main = await fetch(`${server.url}/admin/assets/main.js`);
    assert.equal(main.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(main.headers.get('cache-control'), 'no-cache');
    assert.equal(main.headers.get('x-content-type-options'), 'nosniff');
    const etag = main.headers.get('etag')!;
    assert.match(etag, /^"[\w-]+"$/);
    assert.equal((await fetch(`${server.url}/admin/assets/main.js`, { headers: { 'if-none-match': etag } })).status, 304);
    assert.equal((await fetch(`${server.url}/admin/assets/console.css`)).headers.get('content-type'), 'text/css; charset=utf-8');
    assert.equal((await fetch(`${server.url}/admin/assets/pages/dev-tools.js`)).status, 200);
    for (const path of ['tsconfig.json', 'nope.js', '..%2f..%2fpackage.json', '%2e%2e/static-assets.ts', 'pages/../../shell.ts', '....//main.js']) {
      const response = await fetch(`${server.url}/admin/assets/${path}`);
      assert.equal(response.status, 404, path);
      assert.doesNotMatch(await response.text(), /import|compilerOptions/);
    }
  });

  it('keeps a first-party public client for the console', async () => {
    const client = await server.engine.store.getClient(CONSOLE_CLIENT_ID);
    assert.ok(client);
    assert.deepEqual(
      [client.type, client.tokenEndpointAuthMethod, client.firstParty, client.redirectUris, client.secrets.length],
      ['public', 'none', true, [`${server.url}/admin/`], 0],
    );
    const rootId = (await server.engine.store.getUserByUsername('root'))!.id;
    const pat = await server.engine.credentials.createPersonalAccessToken(rootId, { name: 't', api: `${server.url}/api/v1`, scopes: ['write:clients'] });
    const deleted = await fetch(`${server.url}/api/v1/clients/${CONSOLE_CLIENT_ID}`, { method: 'DELETE', headers: { authorization: `Bearer ${pat.token}` } });
    assert.equal(deleted.status, 409);
  });

  async function consoleToken(username: string, password: string): Promise<string> {
    const browser = new TestBrowser();
    const { verifier, challenge } = pkce();
    const home = `${server.url}/admin/`;
    let page: Page = await browser.follow(
      await browser.get(
        authorizeUrl(server.url, {
          client_id: CONSOLE_CLIENT_ID,
          response_type: 'code',
          redirect_uri: home,
          scope: 'openid read:users',
          state: 's',
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }),
      ),
      server.url,
    );
    page = await submitSignIn(browser, page, username, password);
    while (page.location && !page.location.startsWith(`${home}?`)) page = await browser.get(page.location);
    assert.ok(page.location, `no redirect back to the console: ${page.status} ${page.html.slice(0, 200)}`);
    const code = new URL(page.location).searchParams.get('code')!;
    const token = await server.post('/token', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: home,
      client_id: CONSOLE_CLIENT_ID,
      code_verifier: verifier,
    });
    assert.equal(token.status, 200, JSON.stringify(token.body));
    return token.body.access_token as string;
  }

  it('signs an administrator in without a consent page, for the management API', async () => {
    const token = await consoleToken('root', 'root-password-123');
    const users = await fetch(`${server.url}/api/v1/users`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(users.status, 200);
  });

  it('gives a user who is not an administrator a token the management API refuses (403)', async () => {
    const token = await consoleToken('alice', PASSWORDS.alice);
    const alice = (await server.engine.store.getUserByUsername('alice'))!;
    const users = await fetch(`${server.url}/api/v1/users/${alice.id}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(users.status, 403);
  });
});
