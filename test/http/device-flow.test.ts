/**
 * The device authorization grant (RFC 8628), black-box: `oauth4webapi`'s device flow
 * functions play the device against a running Tessera, and the user approves through
 * the real verification, sign-in and consent pages. Then every refusal: pending,
 * slow_down, expired (frozen clock), denied, used twice, guessed codes throttled.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import { FrozenClock } from '../../src/core/clock.js';
import { readForm, TestBrowser, type Page } from '../support/browser.js';
import { makeFixture, ORGANIZER } from '../support/fixture.js';
import { decide, submitSignIn } from '../support/sign-in.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';
const CLI_SECRET = 'organizer-cli-secret-0123456789';
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('device authorization grant (RFC 8628)', () => {
  let server: TestServer;
  let as: oauth.AuthorizationServer;
  // Real time, frozen: oauth4webapi checks the ID token's times against its own clock.
  const clock = new FrozenClock(Math.floor(Date.now() / 1000));
  const insecure = { [oauth.allowInsecureRequests]: true };
  const tv: oauth.Client = { client_id: 'tv-app' };
  const cli: oauth.Client = { client_id: 'organizer-cli' };
  const tvAuth = oauth.None();
  const cliAuth = oauth.ClientSecretBasic(CLI_SECRET);

  before(async () => {
    const { config } = await makeFixture();
    (config.clients as unknown[]).push(
      { clientId: 'tv-app', name: 'Living Room TV', type: 'public', grantTypes: [DEVICE_CODE, 'refresh_token'], api: ORGANIZER },
      { clientId: 'flood-cli', name: 'Flooded CLI', type: 'public', grantTypes: [DEVICE_CODE], api: ORGANIZER },
      { clientId: 'organizer-cli', name: 'Organizer CLI', secrets: [CLI_SECRET], grantTypes: [DEVICE_CODE], api: ORGANIZER, firstParty: true },
    );
    server = await startTestServer({ config, clock, deviceFlow: { codeTtl: 300, interval: 5 } });
    const issuer = new URL(server.url);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
  });
  after(() => server.close());

  async function startDevice(client: oauth.Client, auth: oauth.ClientAuth, params: Record<string, string> = { scope: 'openid profile read:calendars' }) {
    return oauth.processDeviceAuthorizationResponse(as, client, await oauth.deviceAuthorizationRequest(as, client, auth, params, insecure));
  }

  async function poll(client: oauth.Client, auth: oauth.ClientAuth, deviceCode: string) {
    client[oauth.clockSkew] = clock.now() - Math.floor(Date.now() / 1000);
    return oauth.processDeviceCodeResponse(as, client, await oauth.deviceCodeGrantRequest(as, client, auth, deviceCode, insecure));
  }

  /** The error code a poll answers with (a ResponseBodyError from oauth4webapi). */
  async function pollError(client: oauth.Client, auth: oauth.ClientAuth, deviceCode: string): Promise<string> {
    try {
      await poll(client, auth, deviceCode);
    } catch (error) {
      if (error instanceof oauth.ResponseBodyError) return error.error;
      throw error;
    }
    assert.fail('the poll succeeded');
  }

  /** Opens verification_uri_complete and submits the (pre-filled, or `typed`) code. */
  async function enterCode(browser: TestBrowser, uri: string, typed?: string): Promise<Page> {
    const form = await browser.get(uri);
    assert.equal(form.status, 200);
    const { action, fields } = readForm(form.html);
    const prefilled = /name="user_code" value="([^"]*)"/.exec(form.html)?.[1] ?? '';
    return browser.follow(await browser.post(action, { ...fields, user_code: typed ?? prefilled }), server.url);
  }

  /** The user's side: code, sign-in (when not signed in yet), then Allow or Deny on the consent page. */
  async function userDecides(uri: string, decision: 'allow' | 'deny', options: { browser?: TestBrowser; typed?: string } = {}): Promise<Page> {
    const browser = options.browser ?? new TestBrowser();
    let page = await enterCode(browser, uri, options.typed);
    if (/name="password"/.test(page.html)) page = await browser.follow(await submitSignIn(browser, page, 'alice'), server.url);
    assert.match(page.html, /A device is asking to connect to your account/);
    return decide(browser, page, decision);
  }

  it('is advertised in discovery', () => {
    assert.equal(as.device_authorization_endpoint, `${server.url}/device_authorization`);
    assert.ok(as.grant_types_supported?.includes(DEVICE_CODE));
  });

  it('signs a public client in: pending until the user approves, then tokens like the code flow, once', async () => {
    const device = await startDevice(tv, tvAuth);
    assert.match(device.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    assert.equal(device.verification_uri, `${server.url}/device`);
    assert.equal(device.verification_uri_complete, `${server.url}/device?user_code=${device.user_code}`);
    assert.equal(device.expires_in, 300);
    assert.equal(device.interval, 5);
    assert.match(device.device_code, /^tsr_dc_/);

    assert.equal(await pollError(tv, tvAuth, device.device_code), 'authorization_pending');
    const done = await userDecides(device.verification_uri_complete!, 'allow');
    assert.equal(done.status, 200);
    assert.match(done.html, /Device connected/);
    assert.match(done.html, /Living Room TV/);
    assert.match(done.html, /Return to your device/);

    clock.advance(5);
    const tokens = await poll(tv, tvAuth, device.device_code);
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.scope, 'openid profile read:calendars');
    assert.match(tokens.refresh_token ?? '', /^tsr_rt_/);
    const access = claimsOf(tokens.access_token);
    assert.equal(access.aud, ORGANIZER);
    assert.equal(access.client_id, 'tv-app');
    const alice = await server.engine.store.getUserByUsername('alice');
    assert.equal(access.sub, alice!.id);
    const idToken = oauth.getValidatedIdTokenClaims(tokens)!;
    assert.equal(idToken.sub, alice!.id);
    assert.equal(idToken.aud, 'tv-app');
    assert.equal(typeof idToken.auth_time, 'number');

    clock.advance(5);
    assert.equal(await pollError(tv, tvAuth, device.device_code), 'invalid_grant', 'the device code is single-use');

    // The refresh token works as for the code flow.
    const refreshed = await oauth.processRefreshTokenResponse(as, tv, await oauth.refreshTokenGrantRequest(as, tv, tvAuth, tokens.refresh_token!, insecure));
    assert.equal(refreshed.scope, 'openid profile read:calendars');

    await server.engine.audit.flush();
    const { events } = await server.engine.audit.query({ type: 'device.authorized', limit: 5 });
    assert.equal(events[0]?.outcome, 'success');
    assert.equal(events[0]?.clientId, 'tv-app');
  });

  it('asks slow_down when polled faster than the interval, raising it by 5 seconds', async () => {
    const device = await startDevice(tv, tvAuth);
    assert.equal(await pollError(tv, tvAuth, device.device_code), 'authorization_pending');
    clock.advance(2);
    assert.equal(await pollError(tv, tvAuth, device.device_code), 'slow_down');
    clock.advance(6);
    assert.equal(await pollError(tv, tvAuth, device.device_code), 'slow_down', 'the interval is now 10 seconds');
    clock.advance(15);
    assert.equal(await pollError(tv, tvAuth, device.device_code), 'authorization_pending', 'and 15 after the second slow_down');
  });

  it('answers access_denied once the user denies, then forgets the code', async () => {
    const device = await startDevice(tv, tvAuth);
    const done = await userDecides(device.verification_uri_complete!, 'deny');
    assert.equal(done.status, 200);
    assert.match(done.html, /Access denied/);
    clock.advance(5);
    assert.equal(await pollError(tv, tvAuth, device.device_code), 'access_denied');
    clock.advance(5);
    assert.equal(await pollError(tv, tvAuth, device.device_code), 'invalid_grant');
  });

  it('answers expired_token after expires_in, and the page no longer takes the code', async () => {
    const device = await startDevice(tv, tvAuth);
    clock.advance(301);
    assert.equal(await pollError(tv, tvAuth, device.device_code), 'expired_token');
    const page = await enterCode(new TestBrowser(), device.verification_uri_complete!);
    assert.equal(page.status, 400);
    assert.match(page.html, /That code is not valid/);
  });

  it('takes the user code in any case, with or without the dash or spaces', async () => {
    const browser = new TestBrowser();
    for (const typed of [(c: string) => c.toLowerCase(), (c: string) => c.replace('-', ''), (c: string) => ` ${c.replace('-', ' ').toLowerCase()} `]) {
      const device = await startDevice(tv, tvAuth);
      await userDecides(device.verification_uri!, 'allow', { browser, typed: typed(device.user_code) });
      clock.advance(5);
      assert.ok((await poll(tv, tvAuth, device.device_code)).access_token);
    }
  });

  it('shows a first-party device client the consent page too, with a confidential client authenticated as at /token', async () => {
    const device = await startDevice(cli, cliAuth, { scope: 'read:calendars' });
    const done = await userDecides(device.verification_uri_complete!, 'allow');
    assert.match(done.html, /Organizer CLI/);
    clock.advance(5);
    const tokens = await poll(cli, cliAuth, device.device_code);
    assert.equal(tokens.scope, 'read:calendars');
    assert.equal(tokens.refresh_token, undefined, 'the client is not allowed refresh tokens');
    assert.equal(tokens.id_token, undefined, 'no openid scope');
  });

  it('refuses clients without the grant, a wrong secret, and another client polling the code', async () => {
    const calendar: oauth.Client = { client_id: 'calendar-app' };
    const refused = await oauth.deviceAuthorizationRequest(as, calendar, oauth.ClientSecretBasic('calendar-app-secret-0123456789'), {}, insecure);
    assert.equal(refused.status, 400);
    assert.equal(((await refused.json()) as { error: string }).error, 'unauthorized_client');
    const wrong = await oauth.deviceAuthorizationRequest(as, cli, oauth.ClientSecretBasic('not-the-secret-0123456789'), {}, insecure);
    assert.equal(wrong.status, 401);
    const device = await startDevice(tv, tvAuth);
    assert.equal(await pollError(cli, cliAuth, device.device_code), 'invalid_grant');
    assert.equal(await pollError(tv, tvAuth, 'tsr_dc_not-a-code'), 'invalid_grant');
    const badScope = await oauth.deviceAuthorizationRequest(as, tv, tvAuth, { resource: 'https://unknown.test' }, insecure);
    assert.equal(((await badScope.json()) as { error: string }).error, 'invalid_target');

    // Each refusal is audited like the token endpoint's: the client, the address, and why.
    await server.engine.audit.flush();
    const requested = (await server.engine.audit.query({ type: 'device.requested', outcome: 'failure', limit: 20 })).events;
    const reasonOf = (clientId: string) => requested.find((e) => e.clientId === clientId)?.reason ?? '';
    assert.match(reasonOf('calendar-app'), /^unauthorized_client: /);
    assert.match(reasonOf('tv-app'), /^invalid_target: /);
    assert.ok(requested.every((e) => e.ip !== undefined && e.actor?.type === 'client'));
    const failedAuth = (await server.engine.audit.query({ type: 'client.authentication_failed', clientId: 'organizer-cli', limit: 5 })).events;
    assert.ok(
      failedAuth.some((e) => e.details?.endpoint === '/device_authorization'),
      JSON.stringify(failedAuth),
    );
    const granted = (await server.engine.audit.query({ type: 'device.requested', outcome: 'success', clientId: 'tv-app', limit: 1 })).events;
    assert.deepEqual(granted[0]?.scopes, ['openid', 'profile', 'read:calendars']);
  });

  it('refuses a verification form without its CSRF token', async () => {
    const browser = new TestBrowser();
    const form = await browser.get(`${server.url}/device`);
    const { action } = readForm(form.html);
    const refused = await browser.post(action, { user_code: 'BCDF-GHJK', csrf: 'forged' });
    assert.equal(refused.status, 403);
  });

  it('throttles guessed user codes per address, and audits them', async () => {
    const device = await startDevice(tv, tvAuth);
    const browser = new TestBrowser();
    // Earlier tests typed one wrong code from this address already: a few more are free, then waits begin.
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await enterCode(browser, `${server.url}/device`, 'BCDF-GHJK')).status);
    assert.deepEqual(statuses.slice(0, 4), [400, 400, 400, 400]);
    assert.equal(statuses.at(-1), 429);
    const page = await enterCode(browser, `${server.url}/device`, device.user_code);
    assert.equal(page.status, 429, 'even the right code waits');
    assert.match(page.html, /Too many wrong codes/);
    await server.engine.audit.flush();
    const { events } = await server.engine.audit.query({ type: 'device.code_entered', outcome: 'failure', limit: 20 });
    assert.ok(events.some((e) => e.reason === 'unknown_code'));
    assert.ok(events.some((e) => e.reason === 'throttled'));
    clock.advance(3600);
  });

  it('throttles device authorization requests of a public client per client and address: 429 slow_down with Retry-After', async () => {
    const ask = (clientId: string) => server.post('/device_authorization', { client_id: clientId, scope: 'read:calendars' });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await ask('flood-cli')).status);
    assert.deepEqual(statuses, Array(10).fill(200), 'a person asks for a few codes; ten pass');
    const refused = await ask('flood-cli');
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error, 'slow_down');
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    await server.engine.audit.flush();
    const throttled = (await server.engine.audit.query({ type: 'device.requested', outcome: 'failure', clientId: 'flood-cli', limit: 5 })).events;
    assert.match(throttled[0]?.reason ?? '', /^slow_down: /, 'the throttled request is audited');
    assert.equal((await ask('tv-app')).status, 200, 'another client from the same address is not affected');
    const confidential = await server.post('/device_authorization', { scope: 'read:calendars' }, basic('organizer-cli', CLI_SECRET));
    assert.equal(confidential.status, 200, 'confidential clients authenticate and are not counted');
    clock.advance(3600);
    assert.equal((await ask('flood-cli')).status, 200, 'the count is forgotten after the window');
  });
});
