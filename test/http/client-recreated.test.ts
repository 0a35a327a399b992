/**
 * A client deleted and then created again under the same id (by an administrator, or
 * a registration that reuses the id) must not inherit what the deleted one was given:
 * an authorization code not yet redeemed, a device code the user approved but the device
 * has not collected, a refresh token minted while the deletion was revoking the rest.
 * The clock is frozen and moved on between deletion and re-creation, as in real life.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FrozenClock } from '../../src/core/clock.js';
import { mintTokenString, TOKEN_PREFIXES } from '../../src/core/crypto/token-string.js';
import { readForm, TestBrowser } from '../support/browser.js';
import { makeFixture, ORGANIZER } from '../support/fixture.js';
import { authorize, decide, submitSignIn } from '../support/sign-in.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';
const WEB = { id: 'first-party', secret: 'first-party-secret-0123456789', callback: 'https://organizer.test/callback' };

describe('a client re-created under the id of a deleted one', () => {
  let server: TestServer;
  const clock = new FrozenClock(Math.floor(Date.now() / 1000));

  before(async () => {
    const { config } = await makeFixture();
    (config.clients as unknown[]).push({
      clientId: 'tv-app',
      name: 'Living Room TV',
      type: 'public',
      grantTypes: [DEVICE_CODE, 'refresh_token'],
      api: ORGANIZER,
    });
    server = await startTestServer({ config, clock, deviceFlow: { codeTtl: 600, interval: 5 } });
  });
  after(() => server.close());

  /** Deletes the client as an administrator would, then (20 seconds later: codes live a minute) creates it again from the same settings. */
  async function deleteAndRecreate(clientId: string): Promise<void> {
    const before = (await server.engine.store.getClient(clientId))!;
    clock.advance(5);
    await server.engine.removeClient(clientId, { via: 'management', actor: { type: 'user', id: 'root' } });
    clock.advance(15);
    await server.engine.catalogWriter.saveClient(before);
    assert.equal((await server.engine.store.getClient(clientId))?.createdAt, clock.now());
  }

  const codeParams = { client_id: WEB.id, response_type: 'code', redirect_uri: WEB.callback, scope: 'openid read:calendars', state: 's' };
  const redeem = (code: string) => server.post('/token', { grant_type: 'authorization_code', code, redirect_uri: WEB.callback }, basic(WEB.id, WEB.secret));

  it('refuses an authorization code issued before the deletion, and redeems one issued after', async () => {
    const stale = await authorize(new TestBrowser(), server.url, codeParams);
    await deleteAndRecreate(WEB.id);
    const refused = await redeem(stale.code!);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error, 'invalid_grant');
    assert.match(String(refused.body.error_description), /deleted/);

    const fresh = await authorize(new TestBrowser(), server.url, codeParams);
    const ok = await redeem(fresh.code!);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });

  it('refuses a refresh token minted for the deleted client (a rotation racing the deletion)', async () => {
    const code = await authorize(new TestBrowser(), server.url, codeParams);
    const tokens = await redeem(code.code!);
    const row = (await server.engine.store.findTokenByHash(server.engine.hasher.hash(String(tokens.body.refresh_token))))!;
    await deleteAndRecreate(WEB.id);
    // The deletion revoked the rows it saw; this one was written by a rotation that lost the race, before the re-creation.
    const late = mintTokenString(TOKEN_PREFIXES.refresh_token);
    const { revokedAt: _revoked, consumedAt: _consumed, successorHash: _successor, ...unrevoked } = row;
    await server.engine.store.insertToken({ ...unrevoked, hash: server.engine.hasher.hash(late), jti: `${row.jti}-late`, issuedAt: clock.now() - 10 });
    const refused = await server.post('/token', { grant_type: 'refresh_token', refresh_token: late }, basic(WEB.id, WEB.secret));
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error, 'invalid_grant');

    // The re-created client's own refresh tokens work.
    const fresh = await redeem((await authorize(new TestBrowser(), server.url, codeParams)).code!);
    clock.advance(1);
    const refreshed = await server.post('/token', { grant_type: 'refresh_token', refresh_token: String(fresh.body.refresh_token) }, basic(WEB.id, WEB.secret));
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
  });

  async function approveDevice(userCode: string): Promise<void> {
    const browser = new TestBrowser();
    const form = await browser.get(`${server.url}/device`);
    const { action, fields } = readForm(form.html);
    let page = await browser.follow(await browser.post(action, { ...fields, user_code: userCode }), server.url);
    if (/name="password"/.test(page.html)) page = await browser.follow(await submitSignIn(browser, page, 'alice'), server.url);
    const done = await decide(browser, page, 'allow');
    assert.equal(done.status, 200);
  }

  const startDevice = async () => {
    const res = await server.post('/device_authorization', { client_id: 'tv-app', scope: 'openid read:calendars' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as { device_code: string; user_code: string };
  };
  const poll = (deviceCode: string) => server.post('/token', { grant_type: DEVICE_CODE, client_id: 'tv-app', device_code: deviceCode });

  it('refuses a device code the user approved for the deleted client', async () => {
    const device = await startDevice();
    await approveDevice(device.user_code);
    await deleteAndRecreate('tv-app');
    const refused = await poll(device.device_code);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error, 'invalid_grant');
  });

  it("does not let a user approve the deleted client's pending device code for the new one", async () => {
    const device = await startDevice();
    await deleteAndRecreate('tv-app');
    const browser = new TestBrowser();
    const form = await browser.get(`${server.url}/device`);
    const { action, fields } = readForm(form.html);
    const page = await browser.follow(await browser.post(action, { ...fields, user_code: device.user_code }), server.url);
    assert.equal(page.status, 400);
    assert.match(page.html, /That code is not valid/);
    await server.engine.audit.flush();
    const { events } = await server.engine.audit.query({ type: 'device.code_entered', limit: 1 });
    assert.equal(events[0]?.reason, 'client_deleted');

    // The new client's own device codes work.
    const fresh = await startDevice();
    await approveDevice(fresh.user_code);
    clock.advance(5);
    const ok = await poll(fresh.device_code);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });
});
