/**
 * The authorization code flow, black-box through the real pages: sign-in, consent,
 * PKCE, code redemption, and every refusal the issue lists.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { callbackParams, readForm, TestBrowser } from '../support/browser.js';
import { CALLBACK, makeFixture, ORGANIZER, SECRETS, SPA_CALLBACK } from '../support/fixture.js';
import { authorize, authorizeUrl, pkce, submitSignIn } from '../support/sign-in.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('authorization code flow', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config });
  });
  after(() => server.close());

  const calendarParams = (extra: Record<string, string> = {}) => ({
    client_id: 'calendar-app',
    response_type: 'code',
    redirect_uri: CALLBACK,
    scope: 'openid profile email read:calendars',
    state: 'xyz-state',
    nonce: 'n-0S6_WzA2Mj',
    ...extra,
  });
  /** Runs `body` while alice also holds `role`: a user is asked only for scopes their roles allow. */
  async function withRole(role: string, body: () => Promise<void>): Promise<void> {
    const alice = (await server.engine.store.getUserByUsername('alice'))!;
    await server.engine.store.upsertUser({ ...alice, roles: [...alice.roles, role] });
    try {
      await body();
    } finally {
      await server.engine.store.upsertUser(alice);
    }
  }
  const redeem = (code: string, extra: Record<string, string> = {}) =>
    server.post('/token', { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, ...extra }, basic('calendar-app', SECRETS.calendar));

  it('signs in, asks consent, and returns a code with state and iss', async () => {
    const browser = new TestBrowser();
    const first = await browser.follow(await browser.get(authorizeUrl(server.url, calendarParams())), server.url);
    assert.equal(first.status, 200);
    assert.match(first.html, /<label for="username">/);
    assert.match(first.html, /name="password"/);
    assert.match(first.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(first.headers.get('x-frame-options'), 'DENY');
    assert.equal(first.headers.get('cache-control'), 'no-store');
    const consent = await browser.follow(await submitSignIn(browser, first, 'alice'), server.url);
    assert.match(consent.html, /CalendarApp/);
    assert.match(consent.html, /read:calendars<\/code> — Read calendars/);
    const buttons = readForm(consent.html).buttons.map((b) => `${b.name}=${b.value}`);
    assert.deepEqual(buttons.sort(), ['decision=allow', 'decision=deny']);
    const session = [...browser.cookies.keys()];
    assert.ok(session.includes('tsr_session'));
    const done = await browser.post(readForm(consent.html).action, { ...readForm(consent.html).fields, decision: 'allow' });
    assert.equal(done.status, 303);
    const params = callbackParams(done.location!);
    assert.ok(done.location!.startsWith(`${CALLBACK}?`));
    assert.equal(params.state, 'xyz-state');
    assert.equal(params.iss, server.url);
    assert.match(params.code!, /^tsr_ac_/);
  });

  it('sets the session cookie HttpOnly and SameSite=Lax', async () => {
    const browser = new TestBrowser();
    const page = await browser.follow(await browser.get(authorizeUrl(server.url, calendarParams())), server.url);
    const signedIn = await submitSignIn(browser, page, 'alice');
    const cookie = signedIn.headers.getSetCookie().find((c) => c.startsWith('tsr_session='))!;
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.doesNotMatch(cookie, /Secure/, 'not over plain http');
  });

  it('redeems the code once for access, refresh and ID tokens', async () => {
    const params = await authorize(new TestBrowser(), server.url, calendarParams());
    const res = await redeem(params.code!);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(res.body.scope, 'openid profile email read:calendars');
    assert.match(res.body.refresh_token as string, /^tsr_rt_/);
    const access = claimsOf(res.body.access_token as string);
    assert.equal(access.aud, ORGANIZER);
    assert.equal(access.client_id, 'calendar-app');
    const id = claimsOf(res.body.id_token as string);
    assert.equal(id.iss, server.url);
    assert.equal(id.aud, 'calendar-app');
    assert.equal(id.sub, access.sub);
    assert.equal(id.nonce, 'n-0S6_WzA2Mj');
    assert.equal(typeof id.auth_time, 'number');
    assert.equal(typeof id.at_hash, 'string');
    const header = JSON.parse(Buffer.from((res.body.id_token as string).split('.')[0]!, 'base64url').toString()) as { alg: string };
    assert.equal(header.alg, 'RS256');

    const userinfo = await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${res.body.access_token as string}` } });
    assert.deepEqual(await userinfo.json(), {
      sub: access.sub,
      preferred_username: 'alice',
      name: 'Alice Liddell',
      email: 'alice@example.test',
      email_verified: true,
    });
  });

  it('skips consent within what was granted, and asks only for new scopes', async () => {
    const browser = new TestBrowser();
    await authorize(browser, server.url, calendarParams({ scope: 'openid read:calendars' }));
    // Same scopes again: straight back to the client, no page at all.
    const again = await browser.get(authorizeUrl(server.url, calendarParams({ scope: 'openid read:calendars' })));
    assert.equal(again.status, 303);
    assert.ok(again.location!.startsWith(CALLBACK));
    // One more scope alice's roles allow: a consent page listing only that one.
    await withRole('calendar-writer', async () => {
      const more = await browser.follow(
        await browser.get(authorizeUrl(server.url, calendarParams({ scope: 'openid read:calendars write:calendars' }))),
        server.url,
      );
      assert.match(more.html, /write:calendars/);
      assert.doesNotMatch(more.html, /<code>read:calendars<\/code>/);
    });
  });

  it('lets first-party clients skip consent', async () => {
    const params = await authorize(new TestBrowser(), server.url, {
      client_id: 'first-party',
      response_type: 'code',
      redirect_uri: 'https://organizer.test/callback',
      scope: 'openid read:calendars',
    });
    assert.match(params.code!, /^tsr_ac_/);
  });

  it('returns access_denied when the user denies', async () => {
    // prompt=consent asks again even though alice consented earlier in this suite.
    const params = await authorize(new TestBrowser(), server.url, calendarParams({ prompt: 'consent' }), { consent: 'deny' });
    assert.equal(params.error, 'access_denied');
    assert.equal(params.state, 'xyz-state');
    assert.equal(params.iss, server.url);
  });

  it('runs a public client with PKCE and refuses a missing or wrong verifier', async () => {
    const { verifier, challenge } = pkce();
    const spa = {
      client_id: 'todo-spa',
      response_type: 'code',
      redirect_uri: SPA_CALLBACK,
      scope: 'read:calendars',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    const browser = new TestBrowser();
    const tokenFor = async (extra: Record<string, string>) => {
      const { code } = await authorize(browser, server.url, spa);
      return server.post('/token', { grant_type: 'authorization_code', client_id: 'todo-spa', code: code!, redirect_uri: SPA_CALLBACK, ...extra });
    };
    const missing = await tokenFor({});
    assert.equal(missing.body.error, 'invalid_request');
    const wrong = await tokenFor({ code_verifier: pkce().verifier });
    assert.equal(wrong.body.error, 'invalid_grant');
    const ok = await tokenFor({ code_verifier: verifier });
    assert.equal(ok.status, 200);
    assert.match(ok.body.refresh_token as string, /^tsr_rt_/);
  });

  it('requires PKCE with S256 from public clients', async () => {
    const browser = new TestBrowser();
    const base = { client_id: 'todo-spa', response_type: 'code', redirect_uri: SPA_CALLBACK, state: 's1' };
    const none = callbackParams((await browser.get(authorizeUrl(server.url, base))).location!);
    assert.equal(none.error, 'invalid_request');
    assert.match(none.error_description!, /PKCE is required/);
    const plain = callbackParams(
      (await browser.get(authorizeUrl(server.url, { ...base, code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }))).location!,
    );
    assert.equal(plain.error, 'invalid_request');
    assert.match(plain.error_description!, /S256/);
    assert.equal(plain.state, 's1');
  });

  it('never redirects to an unregistered or missing redirect URI', async () => {
    const browser = new TestBrowser();
    for (const redirect of ['https://evil.test/callback', `${CALLBACK}/extra`, `${CALLBACK}?x=1`, 'https://CALENDAR.test/callback']) {
      const page = await browser.get(authorizeUrl(server.url, calendarParams({ redirect_uri: redirect })));
      assert.equal(page.status, 400, redirect);
      assert.equal(page.location, undefined);
      assert.match(page.html, /redirect_uri is not registered/);
    }
    const unknownClient = await browser.get(authorizeUrl(server.url, calendarParams({ client_id: 'nobody' })));
    assert.equal(unknownClient.status, 400);
    assert.match(unknownClient.html, /unknown client_id/);
    const { redirect_uri: _r, ...withoutRedirect } = calendarParams();
    const missing = await browser.get(authorizeUrl(server.url, withoutRedirect));
    assert.equal(missing.status, 400);
  });

  it('answers bad requests to the client with RFC 6749 errors', async () => {
    const browser = new TestBrowser();
    const cases: [Record<string, string>, string][] = [
      [{ response_type: 'token' }, 'unsupported_response_type'],
      [{ response_type: 'magic' }, 'unsupported_response_type'],
      [{ prompt: 'none login' }, 'invalid_request'],
      [{ max_age: 'soon' }, 'invalid_request'],
      [{ resource: 'https://unknown.test' }, 'invalid_target'],
    ];
    for (const [extra, error] of cases) {
      const page = await browser.get(authorizeUrl(server.url, calendarParams(extra)));
      assert.equal(page.status, 303, JSON.stringify(extra));
      const params = callbackParams(page.location!);
      assert.equal(params.error, error, JSON.stringify(extra));
      assert.equal(params.state, 'xyz-state');
      assert.equal(params.iss, server.url);
    }
  });

  it('answers prompt=none with login_required, then consent_required', async () => {
    const browser = new TestBrowser();
    const noSession = callbackParams((await browser.get(authorizeUrl(server.url, calendarParams({ prompt: 'none' })))).location!);
    assert.equal(noSession.error, 'login_required');
    await authorize(browser, server.url, calendarParams({ scope: 'openid' }));
    await withRole('calendar-writer', async () => {
      const noConsent = callbackParams(
        (await browser.get(authorizeUrl(server.url, calendarParams({ prompt: 'none', scope: 'openid write:calendars read:calendars' })))).location!,
      );
      assert.equal(noConsent.error, 'consent_required');
    });
    const silent = callbackParams((await browser.get(authorizeUrl(server.url, calendarParams({ prompt: 'none', scope: 'openid' })))).location!);
    assert.match(silent.code!, /^tsr_ac_/);
  });

  it('forces a fresh sign-in for prompt=login and an exceeded max_age', async () => {
    const browser = new TestBrowser();
    await authorize(browser, server.url, calendarParams());
    for (const extra of [{ prompt: 'login' }, { max_age: '0' }] as Record<string, string>[]) {
      const page = await browser.follow(await browser.get(authorizeUrl(server.url, calendarParams(extra))), server.url);
      assert.match(page.html, /name="password"/, JSON.stringify(extra));
    }
  });

  it('refuses a replayed code and revokes the tokens it gave', async () => {
    const { code } = await authorize(new TestBrowser(), server.url, calendarParams());
    const first = await redeem(code!);
    assert.equal(first.status, 200);
    const second = await redeem(code!);
    assert.equal(second.status, 400);
    assert.equal(second.body.error, 'invalid_grant');
    const refresh = await server.post(
      '/token',
      { grant_type: 'refresh_token', refresh_token: first.body.refresh_token as string },
      basic('calendar-app', SECRETS.calendar),
    );
    assert.equal(refresh.body.error, 'invalid_grant', 'the refresh token died with the code');
    const introspect = await server.post('/introspect', { token: first.body.access_token as string }, basic('calendar-app', SECRETS.calendar));
    assert.deepEqual(introspect.body, { active: false }, 'and so did the access token');
  });

  it('refuses a code redeemed by another client or with another redirect_uri', async () => {
    const { code } = await authorize(new TestBrowser(), server.url, calendarParams());
    const wrongRedirect = await redeem(code!, { redirect_uri: 'https://calendar.test/other' });
    assert.equal(wrongRedirect.body.error, 'invalid_grant');
    const { code: code2 } = await authorize(new TestBrowser(), server.url, calendarParams());
    const otherClient = await server.post(
      '/token',
      { grant_type: 'authorization_code', code: code2!, redirect_uri: CALLBACK },
      basic('basic-client', SECRETS.basic),
    );
    assert.equal(otherClient.status, 400);
    assert.equal(otherClient.body.error, 'unauthorized_client', 'basic-client may not use the code grant at all');
    const garbage = await redeem('tsr_ac_notacode');
    assert.equal(garbage.body.error, 'invalid_grant');
  });

  it('refuses a sign-in form without its CSRF token or from another browser', async () => {
    const browser = new TestBrowser();
    const page = await browser.follow(await browser.get(authorizeUrl(server.url, calendarParams())), server.url);
    const form = readForm(page.html);
    const noCsrf = await browser.post(form.action, { username: 'alice', password: 'alice-password-123' });
    assert.equal(noCsrf.status, 403);
    assert.match(noCsrf.html, /CSRF/);
    const stranger = new TestBrowser();
    const hijack = await stranger.post(form.action, { ...form.fields, username: 'alice', password: 'alice-password-123' });
    assert.equal(hijack.status, 400);
    assert.match(hijack.html, /expired/);
  });

  it('refuses inactive users and wrong passwords, then throttles', async () => {
    const browser = new TestBrowser();
    const page = await browser.follow(await browser.get(authorizeUrl(server.url, calendarParams())), server.url);
    const inactive = await submitSignIn(browser, page, 'bob');
    assert.equal(inactive.status, 403);
    assert.match(inactive.html, /inactive/);
    let last = inactive;
    for (let i = 0; i < 7; i++) last = await submitSignIn(browser, page, 'carol-does-not-exist', 'wrong-password');
    assert.equal(last.status, 429);
    assert.match(last.html, /Too many failed sign-ins\. Try again in \d+ seconds?/);
  });

  it('returns the state exactly as sent', async () => {
    const state = 'a b&c=d/é<script>';
    const params = await authorize(new TestBrowser(), server.url, calendarParams({ state }));
    assert.equal(params.state, state);
  });
});
