/**
 * Passkeys over HTTP, answered by a software authenticator (support/soft-authenticator.ts):
 * adding one on /account (CSRF, challenge bound to the session), signing in with it
 * alone (amr hwk user mfa) and as the second step after a password, and every way an
 * answer can be wrong (no answer, an unreadable one, a replayed or foreign challenge,
 * another origin, a counter that did not move) giving a clear page, never a 500.
 * Then a passkey-only account, the admin's view and reset, and the audit trail.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FrozenClock } from '../../src/core/clock.js';
import { MANAGEMENT_SCOPES, managementAudience } from '../../src/management/management-api.js';
import { ACR_MULTI_FACTOR } from '@tessera/resource-server/shared';
import { inProcess } from '../cli/run-cli.js';
import { callbackParams, readForm, TestBrowser, type Page } from '../support/browser.js';
import { CALLBACK, makeFixture, PASSWORDS, SECRETS } from '../support/fixture.js';
import { authorizeUrl, decide, pkce, submitSignIn } from '../support/sign-in.js';
import { managementCaller } from '../support/management-calls.js';
import { passkeyFormOf, SoftAuthenticator } from '../support/soft-authenticator.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';
import { formEndingWith } from '../support/totp.js';

describe('passkeys', () => {
  let server: TestServer;
  const clock = new FrozenClock(1_900_000_000);
  let key: SoftAuthenticator;

  before(async () => {
    const { config } = await makeFixture();
    for (const user of (config as { users: { username: string; active?: boolean }[] }).users) user.active = true;
    server = await startTestServer({ config, clock });
    key = new SoftAuthenticator(server.url);
  });
  after(() => server.close());

  async function passwordSignIn(username: 'alice' | 'bob', browser = new TestBrowser()): Promise<{ browser: TestBrowser; page: Page }> {
    const form = await browser.get(`${server.url}/account/sign-in`);
    const page = await browser.post(readForm(form.html).action, { ...readForm(form.html).fields, username, password: PASSWORDS[username] });
    return { browser, page };
  }

  async function audited(reason: string): Promise<boolean> {
    await server.engine.audit.flush();
    const { events } = await server.engine.audit.query({ type: 'mfa.failed' });
    return events.some((r) => r.reason === reason);
  }

  it('adds a named passkey on /account: CSRF checked, the challenge bound to the session and used once', async () => {
    const { browser, page } = await passwordSignIn('alice');
    assert.equal(page.location, `${server.url}/account`);
    const account = await browser.get(`${server.url}/account`);
    const start = formEndingWith(account, '/account/start-passkey');
    assert.equal((await browser.post(start.action, { name: 'Desk key', current_password: PASSWORDS.alice })).status, 403, 'no CSRF token: refused');
    const noPassword = await browser.post(start.action, { ...start.fields, name: 'Desk key' });
    assert.equal(noPassword.status, 400, 'a passkey signs in alone: the session is not enough to add one');
    assert.match(noPassword.html, /enter your current password/);
    const prompt = await browser.post(start.action, { ...start.fields, name: 'Desk key', current_password: PASSWORDS.alice });
    assert.equal(prompt.status, 200);
    const csp = prompt.headers.get('content-security-policy')!;
    assert.match(csp, new RegExp(`script-src ${server.url}/assets/passkey\\.js(;|$)`), 'CSP allows the one script file');
    assert.doesNotMatch(prompt.html, /<script>|<script nonce/, 'no inline script');
    assert.match(prompt.html, new RegExp(`<script src="${server.url}/assets/passkey\\.js" defer></script>`));
    const form = passkeyFormOf(prompt);
    assert.ok(form.fields.csrf, 'the passkey form carries the CSRF token');
    const options = JSON.parse(form.options);
    assert.equal(options.rp.id, '127.0.0.1');
    assert.equal(options.authenticatorSelection.residentKey, 'required');
    const answer = key.create(form.options);

    const other = await passwordSignIn('alice');
    const elsewhere = await other.browser.post(form.action, {
      ...formEndingWith(await other.browser.get(`${server.url}/account`), '/account/start-passkey').fields,
      name: 'x',
      credential: answer,
    });
    assert.equal(elsewhere.status, 400, 'another session cannot use this challenge');
    assert.match(elsewhere.html, /expired or was already used/);

    const prompt2 = await browser.post(start.action, { ...start.fields, name: 'Desk key', current_password: PASSWORDS.alice });
    const form2 = passkeyFormOf(prompt2);
    const done = await browser.post(form2.action, { ...form2.fields, credential: key.create(form2.options) });
    assert.equal(done.status, 200);
    assert.match(done.html, /The passkey “Desk key” was added/);
    assert.match(done.html, /<td>Desk key<\/td>/);
    const replay = await browser.post(form2.action, { ...form2.fields, credential: key.create(form2.options) });
    assert.equal(replay.status, 400, 'a challenge is used once');
    const [factor] = await server.engine.store.listUserFactors((await server.engine.store.getUserByUsername('alice'))!.id);
    assert.equal(factor?.type, 'passkey');
    assert.equal(factor.type === 'passkey' && factor.credentialId, key.id);
  });

  it('serves its one script with an ETag, same-origin only', async () => {
    const script = await fetch(`${server.url}/assets/passkey.js`);
    assert.equal(script.status, 200);
    assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(script.headers.get('cross-origin-resource-policy'), 'same-origin');
    assert.match(await script.text(), /navigator\.credentials/);
    const again = await fetch(`${server.url}/assets/passkey.js`, { headers: { 'if-none-match': script.headers.get('etag')! } });
    assert.equal(again.status, 304);
  });

  it('signs in with the passkey alone from the sign-in page: a session with amr hwk user mfa', async () => {
    const browser = new TestBrowser();
    const page = await browser.get(`${server.url}/account/sign-in`);
    assert.match(page.html, /autocomplete="username webauthn"/, 'autofill offers passkeys');
    assert.match(page.headers.get('content-security-policy')!, new RegExp(`script-src ${server.url}/assets/passkey\\.js;`));
    assert.doesNotMatch(page.html, /<script(?! src="[^"]+\/assets\/passkey\.js" defer><\/script>)/, 'no inline script');
    assert.match(page.html, /or sign in with a passkey<\/p>[\s\S]*>Use a passkey<\/button>/);
    const form = passkeyFormOf(page);
    assert.equal(JSON.parse(form.options).userVerification, 'required');
    const signedIn = await browser.post(form.action, { ...form.fields, credential: key.get(form.options) });
    assert.equal(signedIn.status, 303);
    assert.equal(signedIn.location, `${server.url}/account`);
    const account = await browser.get(`${server.url}/account`);
    assert.equal(account.status, 200);
    const alice = (await server.engine.store.getUserByUsername('alice'))!;
    const [session] = await server.engine.store.listUserSessions(alice.id, clock.now());
    assert.ok(session);
    const newest = (await server.engine.store.listUserSessions(alice.id, clock.now())).find((s) => s.amr?.includes('hwk'));
    assert.deepEqual(newest?.amr, ['hwk', 'user', 'mfa']);
    assert.match(account.html, /<td>Desk key<\/td><td>[\d-]+<\/td><td>[\d-]+<\/td>/, 'last used shown');
  });

  it('refuses wrong answers with a clear page, never a 500, and throttles them', async () => {
    const browser = new TestBrowser();
    const page = await browser.get(`${server.url}/account/sign-in`);
    const form = passkeyFormOf(page);
    const post = (credential: string | undefined) => browser.post(form.action, { ...form.fields, ...(credential !== undefined ? { credential } : {}) });

    const alice = (await server.engine.store.getUserByUsername('alice'))!;
    const handles = new TestBrowser();
    const handled = passkeyFormOf(await handles.get(`${server.url}/account/sign-in`));
    const otherHandle = await handles.post(handled.action, { ...handled.fields, credential: key.get(handled.options, { userHandle: 'someone-else' }) });
    assert.equal(otherHandle.status, 401, 'a user handle that is not the owner’s');
    const ownHandle = passkeyFormOf(await handles.get(`${server.url}/account/sign-in`));
    assert.equal(
      (await handles.post(ownHandle.action, { ...ownHandle.fields, credential: key.get(ownHandle.options, { userHandle: alice.id }) })).status,
      303,
      'her own handle',
    );

    const absent = await post(undefined);
    assert.equal(absent.status, 400);
    assert.match(absent.html, /could not be read/);
    assert.equal((await post('{"id":')).status, 400, 'unreadable JSON');
    const foreign = await post(key.get(form.options, { challenge: 'A'.repeat(43) }));
    assert.equal(foreign.status, 400, 'a challenge never issued');
    assert.match(foreign.html, /expired or was already used/);
    assert.ok(await audited('passkey_challenge'));

    const fresh = passkeyFormOf(await browser.get(`${server.url}/account/sign-in`));
    const wrongOrigin = await browser.post(fresh.action, { ...fresh.fields, credential: key.get(fresh.options, { origin: 'https://evil.test' }) });
    assert.equal(wrongOrigin.status, 401);
    assert.match(wrongOrigin.html, /answered for another site/);
    assert.ok(await audited('wrong_origin'));

    const noUv = passkeyFormOf(await browser.get(`${server.url}/account/sign-in`));
    const unverified = await browser.post(noUv.action, { ...noUv.fields, credential: key.get(noUv.options, { userVerified: false }) });
    assert.equal(unverified.status, 401, 'passwordless needs user verification');
    assert.match(unverified.html, /PIN, fingerprint or face/);

    const stranger = new SoftAuthenticator(server.url);
    const unknown = passkeyFormOf(await browser.get(`${server.url}/account/sign-in`));
    const notHere = await browser.post(unknown.action, { ...unknown.fields, credential: stranger.get(unknown.options) });
    assert.equal(notHere.status, 401);
    assert.match(notHere.html, /not known here/);

    const noBrowser = await new TestBrowser().post(form.action, { ...form.fields, credential: key.get(form.options) });
    assert.equal(noBrowser.status, 403, 'no browser cookie: the CSRF check fails');

    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const next = passkeyFormOf(await browser.get(`${server.url}/account/sign-in`));
      statuses.push((await browser.post(next.action, { ...next.fields, credential: key.get(next.options, { origin: 'https://evil.test' }) })).status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 429], 'her account’s failures are throttled like wrong passwords: five free, then a wait');
    assert.ok(await audited('throttled'));
    clock.advance(7200);
  });

  it('refuses a cloned credential whose counter did not move forward, and audits it', async () => {
    const alice = (await server.engine.store.getUserByUsername('alice'))!;
    const browser = new TestBrowser();
    const form = passkeyFormOf(await browser.get(`${server.url}/account/sign-in`));
    const before = (await server.engine.store.listUserFactors(alice.id))[0]!;
    const seen = before.type === 'passkey' ? before.signCount : -1;
    assert.ok(seen > 0, 'this authenticator counts');
    const next = key.signCount;
    key.signCount = seen;
    const refused = await browser.post(form.action, { ...form.fields, credential: key.get(form.options) });
    assert.equal(refused.status, 401);
    assert.match(refused.html, /signature counter did not move forward/);
    assert.ok(await audited('cloned_credential'));
    key.signCount = next;
    const again = passkeyFormOf(await browser.get(`${server.url}/account/sign-in`));
    assert.equal((await browser.post(again.action, { ...again.fields, credential: key.get(again.options) })).status, 303, 'the real one still works');
    const stored = (await server.engine.store.listUserFactors(alice.id))[0]!;
    assert.equal(stored.type === 'passkey' && stored.signCount, next);
  });

  it('asks for the passkey after the password, next to codes: amr pwd hwk user mfa', async () => {
    const { browser, page } = await passwordSignIn('alice');
    assert.match(page.location ?? '', /\/mfa\/[\w-]{32}$/);
    const step = await browser.get(page.location!);
    assert.match(step.html, /Use a passkey/);
    assert.match(step.html, /autocomplete="one-time-code"/, 'the recovery codes made with her first passkey work here too');
    const form = passkeyFormOf(step);
    assert.ok(form.fields.csrf);
    assert.equal(JSON.parse(form.options).allowCredentials[0].id, key.id, 'only her passkeys');
    const noCsrf = await browser.post(form.action, { credential: key.get(form.options) });
    assert.equal(noCsrf.status, 403);
    const fresh = passkeyFormOf(await browser.get(page.location!));
    const done = await browser.post(fresh.action, { ...fresh.fields, credential: key.get(fresh.options) });
    assert.equal(done.status, 303);
    assert.equal(done.location, `${server.url}/account`);
    const alice = (await server.engine.store.getUserByUsername('alice'))!;
    const sessions = await server.engine.store.listUserSessions(alice.id, clock.now());
    assert.ok(sessions.some((s) => s.amr?.join(' ') === 'pwd hwk user mfa'));
  });

  it('signs in passwordless inside an authorization: the ID token says amr hwk user mfa, acr 2fa', async () => {
    const browser = new TestBrowser();
    const { verifier, challenge } = pkce();
    const params = {
      response_type: 'code',
      client_id: 'calendar-app',
      redirect_uri: CALLBACK,
      scope: 'openid read:calendars',
      state: 's',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    const signIn = await browser.follow(await browser.get(authorizeUrl(server.url, params)), server.url);
    const form = passkeyFormOf(signIn);
    assert.match(form.action, /\/interaction\/[\w-]+\/passkey$/);
    assert.equal((await browser.post(form.action, { credential: key.get(form.options) })).status, 403, 'CSRF checked');
    const bad = await browser.post(form.action, { ...form.fields, credential: key.get(form.options, { origin: 'https://evil.test' }) });
    assert.equal(bad.status, 401);
    assert.match(bad.html, /answered for another site/);
    const retry = passkeyFormOf(bad);
    let page = await browser.follow(await browser.post(retry.action, { ...retry.fields, credential: key.get(retry.options) }), server.url);
    if (/Allow access\?/.test(page.html)) page = await decide(browser, page, 'allow');
    const { code } = callbackParams(page.location!);
    const tokens = await server.post(
      '/token',
      { grant_type: 'authorization_code', code: code!, redirect_uri: CALLBACK, code_verifier: verifier },
      basic('calendar-app', SECRETS.calendar),
    );
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    const claims = JSON.parse(Buffer.from((tokens.body.id_token as string).split('.')[1]!, 'base64url').toString()) as { amr: string[]; acr: string };
    assert.deepEqual(claims.amr, ['hwk', 'user', 'mfa']);
    assert.equal(claims.acr, ACR_MULTI_FACTOR);
  });

  it('lets a user who must set a factor up add a passkey instead of an app, and goes on with amr pwd hwk user mfa', async () => {
    const bobKey = new SoftAuthenticator(server.url);
    const browser = new TestBrowser();
    const { verifier, challenge } = pkce();
    const params = {
      response_type: 'code',
      client_id: 'calendar-app',
      redirect_uri: CALLBACK,
      scope: 'openid read:calendars',
      state: 's',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      acr_values: ACR_MULTI_FACTOR,
    };
    const signIn = await browser.follow(await browser.get(authorizeUrl(server.url, params)), server.url);
    const enrol = await browser.follow(await submitSignIn(browser, signIn, 'bob'), server.url);
    assert.match(enrol.html, /Set up a second factor/);
    assert.match(enrol.html, /or add a passkey instead/);
    const form = passkeyFormOf(enrol);
    assert.ok(form.fields.csrf);
    const wrong = await browser.post(form.action, { ...form.fields, credential: bobKey.create(form.options, { origin: 'https://evil.test' }) });
    assert.equal(wrong.status, 400);
    assert.match(wrong.html, /answered for another site/);
    const retry = passkeyFormOf(wrong);
    const saved = await browser.post(retry.action, { ...retry.fields, credential: bobKey.create(retry.options) });
    assert.equal(saved.status, 200);
    assert.match(saved.html, /Your passkey is added/);
    let page = await browser.follow(await browser.get(/href="([^"]+)" class="primary" id="continue"/.exec(saved.html)![1]!.replace(/&amp;/g, '&')), server.url);
    if (/Allow access\?/.test(page.html)) page = await decide(browser, page, 'allow');
    const { code } = callbackParams(page.location!);
    const tokens = await server.post(
      '/token',
      { grant_type: 'authorization_code', code: code!, redirect_uri: CALLBACK, code_verifier: verifier },
      basic('calendar-app', SECRETS.calendar),
    );
    const claims = JSON.parse(Buffer.from((tokens.body.id_token as string).split('.')[1]!, 'base64url').toString()) as { amr: string[]; acr: string };
    assert.deepEqual(claims.amr, ['pwd', 'hwk', 'user', 'mfa']);
    assert.equal(claims.acr, ACR_MULTI_FACTOR);
  });

  it('lets a user with a passkey remove the password; the last passkey then stays, and password sign-in fails cleanly', async () => {
    const passkeyBrowser = new TestBrowser();
    const form = passkeyFormOf(await passkeyBrowser.get(`${server.url}/account/sign-in`));
    await passkeyBrowser.post(form.action, { ...form.fields, credential: key.get(form.options) });
    const account = await passkeyBrowser.get(`${server.url}/account`);
    const remove = formEndingWith(account, '/account/remove-password');
    const wrong = await passkeyBrowser.post(remove.action, { ...remove.fields, current_password: 'nope' });
    assert.equal(wrong.status, 400);
    const removed = await passkeyBrowser.post(remove.action, { ...remove.fields, current_password: PASSWORDS.alice });
    assert.equal(removed.location, `${server.url}/account?done=password-removed#security`);
    const after = await passkeyBrowser.get(`${server.url}/account`);
    assert.match(after.html, /your only way to sign in/);
    const alice = (await server.engine.store.getUserByUsername('alice'))!;
    assert.equal(alice.passwordHash, undefined);
    const id = (await server.engine.store.listUserFactors(alice.id))[0]!.id;
    const last = await passkeyBrowser.post(`${server.url}/account/remove-passkey`, { csrf: remove.fields.csrf!, id });
    assert.equal(last.status, 400);
    assert.match(last.html, /last passkey/);
    clock.advance(1000);
    const stale = await passkeyBrowser.post(`${server.url}/account/start-passkey`, { csrf: remove.fields.csrf!, name: 'Phone' });
    assert.equal(stale.status, 400, 'without a password, adding a passkey needs a recent sign-in');
    assert.match(stale.html, /sign-in from the last 15 minutes/);

    const { page } = await passwordSignIn('alice');
    assert.equal(page.status, 401);
    assert.match(page.html, /Wrong username or password/);
    assert.match(page.html, /Use a passkey/, 'the page offers the passkey');
  });

  it('shows passkeys to administrators without key material, and a reset removes them', async () => {
    const root = (await server.engine.store.getUserByUsername('root'))!;
    const token = (
      await server.engine.credentials.createPersonalAccessToken(root.id, { name: 't', api: managementAudience(server.url), scopes: [...MANAGEMENT_SCOPES] })
    ).token;
    const call = await managementCaller(server);
    const alice = (await server.engine.store.getUserByUsername('alice'))!;
    const listed = await call(token, 'GET', '/users/{id}/mfa', undefined, { id: alice.id });
    assert.equal(listed.status, 200);
    assert.equal(listed.body.factors[0].type, 'passkey');
    assert.equal(listed.body.factors[0].name, 'Desk key');
    assert.equal(listed.body.factors[0].deviceType, 'singleDevice');
    const text = JSON.stringify(listed.body);
    assert.ok(!text.includes(key.id) && !text.includes('publicKey') && !text.includes('signCount'), 'no credential ID nor key');
    const cli = await inProcess('users', 'mfa', 'list', 'alice', '--server', server.url, '--token', token);
    assert.equal(cli.code, 0, cli.err);
    assert.match(cli.out, /^passkey\s+Desk key\s+\d{4}-\d\d-\d\d\s+\d{4}-\d\d-\d\d\s+[\w-]+$/m, 'tessera users mfa list shows it');
    const reset = await call(token, 'DELETE', '/users/{id}/mfa', undefined, { id: alice.id });
    assert.equal(reset.body.removed, 1);
    const browser = new TestBrowser();
    const form = passkeyFormOf(await browser.get(`${server.url}/account/sign-in`));
    assert.equal((await browser.post(form.action, { ...form.fields, credential: key.get(form.options) })).status, 401, 'gone');
  });
});
