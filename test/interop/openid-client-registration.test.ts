/**
 * Interop: `openid-client` (v6) registers itself with Tessera (RFC 7591) under the
 * default registration policy, nothing else configured, as a public command-line
 * tool, and signs alice in with the device flow (RFC 8628) through the real
 * verification, sign-in and consent pages; then its refresh token works, and
 * deleting the registration (RFC 7592) revokes it. The server's clock is frozen and
 * moved by the test; openid-client is told to poll at once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { FrozenClock } from '../../src/core/clock.js';
import { registrationPolicy } from '../../src/core/registration/registration-policy.js';
import { readForm, TestBrowser } from '../support/browser.js';
import { makeFixture, ORGANIZER } from '../support/fixture.js';
import { decide, submitSignIn } from '../support/sign-in.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';

describe('interop: openid-client registers itself and signs alice in with the device flow', () => {
  let server: TestServer;
  // Real time, frozen: openid-client checks the ID token's times against its own clock.
  const clock = new FrozenClock(Math.floor(Date.now() / 1000));

  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config, clock, registration: registrationPolicy({ enabled: true }) });
  });
  after(() => server.close());

  /** alice, on another screen: the pre-filled code, sign-in, then her decision. */
  async function aliceDecides(uri: string, decision: 'allow' | 'deny'): Promise<void> {
    const browser = new TestBrowser();
    const form = await browser.get(uri);
    const { action, fields } = readForm(form.html);
    const prefilled = /name="user_code" value="([^"]*)"/.exec(form.html)?.[1] ?? '';
    let page = await browser.follow(await browser.post(action, { ...fields, user_code: prefilled }), server.url);
    page = await browser.follow(await submitSignIn(browser, page, 'alice'), server.url);
    assert.match(page.html, /Unverified application/);
    assert.match(page.html, /Terminal Notes/);
    assert.equal((await decide(browser, page, decision)).status, 200);
  }

  it("registers a public device client with the default policy, and gets alice's tokens", async () => {
    const config = await client.dynamicClientRegistration(
      new URL(server.url),
      {
        client_name: 'Terminal Notes',
        grant_types: [DEVICE_CODE, 'refresh_token'],
        token_endpoint_auth_method: 'none',
        application_type: 'native',
        scope: 'openid read:calendars',
      },
      client.None(),
      { execute: [client.allowInsecureRequests] },
    );
    const metadata = config.clientMetadata();
    assert.match(metadata.client_id, /^reg_/);
    assert.deepEqual(metadata.grant_types, [DEVICE_CODE, 'refresh_token']);
    assert.equal(metadata.client_secret, undefined);
    assert.match(String(metadata.registration_access_token), /^tsr_rat_/);

    const device = await client.initiateDeviceAuthorization(config, { scope: 'openid read:calendars', resource: ORGANIZER });
    await aliceDecides(device.verification_uri_complete!, 'allow');
    clock.advance(device.interval ?? 5);
    const tokens = await client.pollDeviceAuthorizationGrant(config, { ...device, interval: 0 });
    const alice = (await server.engine.store.getUserByUsername('alice'))!;
    assert.equal(tokens.claims()?.sub, alice.id);
    assert.equal(tokens.scope, 'openid read:calendars');
    assert.ok(tokens.refresh_token);

    clock.advance(60);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    assert.ok(refreshed.access_token);

    // RFC 7592: its owner deletes the registration; the refresh token stops working.
    const uri = String(metadata.registration_client_uri);
    const deleted = await fetch(uri, { method: 'DELETE', headers: { authorization: `Bearer ${metadata.registration_access_token}` } });
    assert.equal(deleted.status, 204);
    await assert.rejects(client.refreshTokenGrant(config, refreshed.refresh_token!), (error: unknown) => error instanceof client.ResponseBodyError);
  });

  it('stops with access_denied when alice denies', async () => {
    const config = await client.dynamicClientRegistration(
      new URL(server.url),
      { client_name: 'Terminal Notes', grant_types: [DEVICE_CODE], token_endpoint_auth_method: 'none' },
      client.None(),
      { execute: [client.allowInsecureRequests] },
    );
    const device = await client.initiateDeviceAuthorization(config, { scope: 'read:calendars', resource: ORGANIZER });
    await aliceDecides(device.verification_uri_complete!, 'deny');
    clock.advance(device.interval ?? 5);
    await assert.rejects(
      client.pollDeviceAuthorizationGrant(config, { ...device, interval: 0 }),
      (error: unknown) => (error as { error?: string }).error === 'access_denied',
    );
  });
});
