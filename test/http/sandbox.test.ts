/**
 * Silent sandbox sign-in (seed 001): no consent screen, a subject unique to the
 * (user, client) pair, marked as a sandbox everywhere; real data only through the
 * normal consent flow.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestBrowser } from '../support/browser.js';
import { CALLBACK, makeFixture, ORGANIZER, SECRETS } from '../support/fixture.js';
import { authorize, authorizeUrl } from '../support/sign-in.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

const REDIRECT = 'https://sandbox.test/callback';
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('sandbox sign-in', () => {
  let server: TestServer;
  let aliceId: string;
  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config });
    aliceId = (await server.engine.store.getUserByUsername('alice'))!.id;
  });
  after(() => server.close());

  const params = (extra: Record<string, string> = {}) => ({
    client_id: 'sandbox-app',
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: 'openid profile read:calendars',
    ...extra,
  });
  const redeem = (code: string) =>
    server.post('/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT }, basic('sandbox-app', 'sandbox-app-secret-0123456789'));

  it('signs the user in with no consent page and issues sandbox tokens', async () => {
    const browser = new TestBrowser();
    const first = await browser.follow(await browser.get(authorizeUrl(server.url, params())), server.url);
    assert.match(first.html, /name="password"/, 'a sign-in is still needed');
    const { code } = await authorize(browser, server.url, params());
    const tokens = await redeem(code!);
    assert.equal(tokens.status, 200);
    const access = claimsOf(tokens.body.access_token as string);
    const id = claimsOf(tokens.body.id_token as string);
    assert.match(access.sub as string, /^sbx_/);
    assert.notEqual(access.sub, aliceId);
    assert.equal(access.sandbox, true);
    assert.equal(access.aud, ORGANIZER);
    assert.equal(id.sub, access.sub, 'the app knows only the sandbox subject');
    const userinfo = await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${tokens.body.access_token as string}` } });
    assert.deepEqual(await userinfo.json(), { sub: access.sub, sandbox: true }, 'and none of the user profile');
    const introspection = await server.post('/introspect', { token: tokens.body.access_token as string }, basic('introspector', SECRETS.introspector));
    assert.equal(introspection.body.sandbox, true);
    assert.equal(await server.engine.store.getConsent(aliceId, 'sandbox-app'), undefined, 'no consent was recorded');
  });

  it('keeps the sandbox subject stable per user and client, and across refreshes', async () => {
    const a = await redeem((await authorize(new TestBrowser(), server.url, params())).code!);
    const b = await redeem((await authorize(new TestBrowser(), server.url, params())).code!);
    assert.equal(claimsOf(a.body.access_token as string).sub, claimsOf(b.body.access_token as string).sub);
    const refreshed = await server.post(
      '/token',
      { grant_type: 'refresh_token', refresh_token: a.body.refresh_token as string },
      basic('sandbox-app', 'sandbox-app-secret-0123456789'),
    );
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    const claims = claimsOf(refreshed.body.access_token as string);
    assert.equal(claims.sub, claimsOf(a.body.access_token as string).sub);
    assert.equal(claims.sandbox, true);
  });

  it('gives sandbox ID tokens a pairwise sid, unlinkable to the browser session', async () => {
    const browser = new TestBrowser();
    const sandboxed = await redeem((await authorize(browser, server.url, params())).code!);
    const normal = await server.post(
      '/token',
      {
        grant_type: 'authorization_code',
        code: (
          await authorize(
            browser,
            server.url,
            { client_id: 'calendar-app', response_type: 'code', redirect_uri: CALLBACK, scope: 'openid' },
            { consent: 'allow' },
          )
        ).code!,
        redirect_uri: CALLBACK,
      },
      basic('calendar-app', SECRETS.calendar),
    );
    const sandboxSid = claimsOf(sandboxed.body.id_token as string).sid as string;
    const normalSid = claimsOf(normal.body.id_token as string).sid as string;
    assert.equal(typeof sandboxSid, 'string');
    assert.equal(typeof normalSid, 'string');
    assert.notEqual(sandboxSid, normalSid, 'one browser session, two unlinkable sids');
    const refreshed = await server.post(
      '/token',
      { grant_type: 'refresh_token', refresh_token: sandboxed.body.refresh_token as string },
      basic('sandbox-app', 'sandbox-app-secret-0123456789'),
    );
    assert.equal(claimsOf(refreshed.body.id_token as string).sid, sandboxSid, 'stable across refreshes');
  });

  it('reaches real data only through the normal consent flow (prompt=consent)', async () => {
    const browser = new TestBrowser();
    const { code } = await authorize(browser, server.url, params({ prompt: 'consent' }), { consent: 'allow' });
    const tokens = await redeem(code!);
    const access = claimsOf(tokens.body.access_token as string);
    assert.equal(access.sub, aliceId);
    assert.equal(access.sandbox, undefined);
    assert.ok(await server.engine.store.getConsent(aliceId, 'sandbox-app'));
  });
});
