/**
 * Refresh tokens: rotation on every use, reuse detection with a grace period for
 * retries, and refusal once the user is inactive or the consent is revoked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FrozenClock } from '../../src/core/clock.js';
import { validateConfig } from '../../src/core/config/load.js';
import { TestBrowser } from '../support/browser.js';
import { CALLBACK, makeFixture, MAPPERS, ORGANIZER, SECRETS } from '../support/fixture.js';
import { authorize } from '../support/sign-in.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

describe('refresh tokens', () => {
  let server: TestServer;
  let config: Record<string, unknown>;
  const clock = new FrozenClock(Math.floor(Date.now() / 1000));
  before(async () => {
    config = (await makeFixture()).config;
    server = await startTestServer({ config, clock });
  });
  after(() => server.close());

  const asCalendar = basic('calendar-app', SECRETS.calendar);
  const refresh = (token: string, extra: Record<string, string> = {}) =>
    server.post('/token', { grant_type: 'refresh_token', refresh_token: token, ...extra }, asCalendar);
  async function signIn(username = 'alice', scope = 'openid read:calendars'): Promise<Record<string, unknown>> {
    const { code } = await authorize(
      new TestBrowser(),
      server.url,
      { client_id: 'calendar-app', response_type: 'code', redirect_uri: CALLBACK, scope },
      { username },
    );
    const res = await server.post('/token', { grant_type: 'authorization_code', code: code!, redirect_uri: CALLBACK }, asCalendar);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  }

  it('rotates on every use and keeps the grant', async () => {
    const tokens = await signIn();
    const first = await refresh(tokens.refresh_token as string);
    assert.equal(first.status, 200);
    assert.notEqual(first.body.refresh_token, tokens.refresh_token);
    assert.equal(first.body.scope, 'openid read:calendars');
    assert.equal(typeof first.body.id_token, 'string');
    const second = await refresh(first.body.refresh_token as string);
    assert.equal(second.status, 200);
  });

  it('narrows scope on request, never widens it', async () => {
    const tokens = await signIn();
    const narrower = await refresh(tokens.refresh_token as string, { scope: 'read:calendars' });
    assert.equal(narrower.body.scope, 'read:calendars');
    const wider = await refresh(narrower.body.refresh_token as string, { scope: 'read:calendars write:calendars' });
    assert.equal(wider.body.error, 'invalid_scope');
  });

  it("honours resource and audience only for the grant's own API (RFC 8707 §2.2)", async () => {
    const tokens = await signIn();
    const same = await refresh(tokens.refresh_token as string, { resource: ORGANIZER });
    assert.equal(same.status, 200, JSON.stringify(same.body));
    for (const extra of [{ resource: MAPPERS }, { audience: MAPPERS }, { resource: 'https://nowhere.test' }] as Record<string, string>[]) {
      const other = await refresh(same.body.refresh_token as string, extra);
      assert.equal(other.status, 400, JSON.stringify(extra));
      assert.equal(other.body.error, 'invalid_target');
    }
    assert.equal((await refresh(same.body.refresh_token as string, { audience: ORGANIZER })).status, 200, 'a refused target used up nothing');
  });

  it('allows a retry within the grace period while the successor is unused', async () => {
    const tokens = await signIn();
    const first = await refresh(tokens.refresh_token as string);
    clock.advance(5);
    const retry = await refresh(tokens.refresh_token as string);
    assert.equal(retry.status, 200, 'a retry after a lost response works');
    assert.equal(retry.body.refresh_token, first.body.refresh_token, 'and gets the same successor: the family does not fork');
    assert.notEqual(retry.body.access_token, first.body.access_token);
    assert.equal((await refresh(retry.body.refresh_token as string)).status, 200);
  });

  it('detects a replay within the grace period once the successor is used', async () => {
    const tokens = await signIn();
    const first = await refresh(tokens.refresh_token as string);
    const replay = await refresh(tokens.refresh_token as string); // an attacker within the grace period
    assert.equal(replay.body.refresh_token, first.body.refresh_token, 'no second live chain');
    const legitimate = await refresh(first.body.refresh_token as string);
    assert.equal(legitimate.status, 200);
    clock.advance(11);
    assert.equal((await refresh(replay.body.refresh_token as string)).body.error, 'invalid_grant', 'the second use of the successor is reuse');
    assert.equal((await refresh(legitimate.body.refresh_token as string)).body.error, 'invalid_grant', 'and the whole family is revoked');
    assert.equal((await refresh(tokens.refresh_token as string)).body.error, 'invalid_grant');
  });

  it('has no grace period when it is set to 0', async () => {
    const strict = await startTestServer({ config, clock, refreshTokens: { reuseGrace: 0 } });
    try {
      const { code } = await authorize(new TestBrowser(), strict.url, {
        client_id: 'calendar-app',
        response_type: 'code',
        redirect_uri: CALLBACK,
        scope: 'openid',
      });
      const tokens = (await strict.post('/token', { grant_type: 'authorization_code', code: code!, redirect_uri: CALLBACK }, asCalendar)).body;
      const use = (t: unknown) => strict.post('/token', { grant_type: 'refresh_token', refresh_token: t as string }, asCalendar);
      const first = await use(tokens.refresh_token);
      assert.equal(first.status, 200);
      assert.equal((await use(tokens.refresh_token)).body.error, 'invalid_grant', 'an immediate retry is reuse');
      assert.equal((await use(first.body.refresh_token)).body.error, 'invalid_grant', 'and revoked the family');
    } finally {
      await strict.close();
    }
  });

  it('revokes the whole family when a rotated token is reused', async () => {
    const tokens = await signIn();
    const first = await refresh(tokens.refresh_token as string);
    const second = await refresh(first.body.refresh_token as string); // the successor is used: the old one is now stale
    const reuse = await refresh(tokens.refresh_token as string);
    assert.equal(reuse.status, 400);
    assert.equal(reuse.body.error, 'invalid_grant');
    assert.match(reuse.body.error_description as string, /already used/);
    const latest = await refresh(second.body.refresh_token as string);
    assert.equal(latest.body.error, 'invalid_grant', 'the newest token of the family is revoked too');
  });

  it('treats reuse after the grace period as theft', async () => {
    const tokens = await signIn();
    await refresh(tokens.refresh_token as string);
    clock.advance(11);
    assert.equal((await refresh(tokens.refresh_token as string)).body.error, 'invalid_grant');
  });

  it('stops working when the consent is revoked', async () => {
    const tokens = await signIn();
    const user = await server.engine.store.getUserByUsername('alice');
    const result = await server.engine.revokeConsent(user!.id, 'calendar-app');
    assert.equal(result.consent, true);
    assert.ok(result.tokens >= 1);
    assert.equal((await refresh(tokens.refresh_token as string)).body.error, 'invalid_grant');
  });

  it('stops working when the user is deactivated', async () => {
    const tokens = await signIn();
    const clients = config.clients as unknown[];
    const apis = await server.engine.store.listApis();
    const users = [{ username: 'alice', password: 'alice-password-123', active: false }];
    await server.engine.apply(validateConfig({ users, clients: [] }, 'deactivate', { apis, roles: [] }));
    assert.ok(clients.length > 0);
    const res = await refresh(tokens.refresh_token as string);
    assert.equal(res.body.error, 'invalid_grant');
    assert.match(res.body.error_description as string, /no longer active/);
    const userinfo = await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token as string}` } });
    assert.equal(userinfo.status, 401);
    assert.match(userinfo.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    await server.engine.apply(validateConfig({ users: [{ ...users[0], active: true }] }, 'reactivate', { apis, roles: [] }));
  });

  it('refuses another client refresh token, garbage and revoked ones', async () => {
    const tokens = await signIn();
    const other = await server.post(
      '/token',
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string },
      basic('first-party', 'first-party-secret-0123456789'),
    );
    assert.equal(other.body.error, 'invalid_grant');
    assert.equal((await refresh('tsr_rt_garbage')).body.error, 'invalid_grant');
    const revoked = await server.post('/revoke', { token: tokens.refresh_token as string }, asCalendar);
    assert.equal(revoked.status, 200);
    assert.equal((await refresh(tokens.refresh_token as string)).body.error, 'invalid_grant');
    const introspect = await server.post('/introspect', { token: tokens.access_token as string }, asCalendar);
    assert.equal(introspect.body.active, true, 'a JWT access token lives until it expires');
  });
});
