/**
 * A user's sign-in sessions and grants through the management API: listed per user,
 * ended or revoked one at a time or all at once, with least-privilege scopes, and every
 * response checked against the served OpenAPI document.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FrozenClock } from '../../src/core/clock.js';
import { MANAGEMENT_SCOPES, managementAudience } from '../../src/management/management-api.js';
import { TestBrowser } from '../support/browser.js';
import { CALLBACK, makeFixture, SECRETS } from '../support/fixture.js';
import { OpenApiValidator } from '../support/openapi-validator.js';
import { authorize, authorizeUrl } from '../support/sign-in.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

describe('management API: sessions and grants', () => {
  let server: TestServer;
  let validator: OpenApiValidator;
  let admin: string;
  let reader: string;
  let aliceId: string;
  const clock = new FrozenClock(Math.floor(Date.now() / 1000));
  const asCalendar = basic('calendar-app', SECRETS.calendar);
  const params = { client_id: 'calendar-app', response_type: 'code', redirect_uri: CALLBACK, scope: 'openid read:calendars' };

  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config, clock });
    const rootId = (await server.engine.store.getUserByUsername('root'))!.id;
    aliceId = (await server.engine.store.getUserByUsername('alice'))!.id;
    const pat = (scopes: string[]) =>
      server.engine.credentials.createPersonalAccessToken(rootId, { name: 'test', api: managementAudience(server.url), scopes });
    admin = (await pat([...MANAGEMENT_SCOPES])).token;
    reader = (await pat(MANAGEMENT_SCOPES.filter((s) => s !== 'read:sessions' && s !== 'read:grants' && s !== 'write:sessions' && s !== 'write:grants'))).token;
    validator = new OpenApiValidator((await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as ConstructorParameters<typeof OpenApiValidator>[0]);
  });
  after(() => server.close());

  async function call(method: string, template: string, values: Record<string, string>, token = admin) {
    let path = template;
    for (const [name, value] of Object.entries(values)) path = path.replace(`{${name}}`, encodeURIComponent(value));
    const response = await fetch(`${server.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    const text = await response.text();
    const body = text ? (JSON.parse(text) as Record<string, any>) : undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
    validator.check(method, template, response.status, body);
    return { status: response.status, body: body! };
  }

  /** Signs alice in with a fresh browser and redeems the code: a session and a grant. */
  async function signIn(): Promise<{ browser: TestBrowser; refreshToken: string }> {
    const browser = new TestBrowser();
    const { code } = await authorize(browser, server.url, params);
    const tokens = await server.post('/token', { grant_type: 'authorization_code', code: code!, redirect_uri: CALLBACK }, asCalendar);
    assert.equal(tokens.status, 200);
    return { browser, refreshToken: tokens.body.refresh_token as string };
  }

  /** Whether the browser's session is still signed in (prompt=none answers with a code, or login_required). */
  async function signedIn(browser: TestBrowser): Promise<boolean> {
    const page = await browser.get(authorizeUrl(server.url, { ...params, prompt: 'none' }));
    return new URL(page.location!).searchParams.has('code');
  }

  it('lists, ends one and ends all sessions of a user', async () => {
    const first = await signIn();
    clock.advance(10);
    const second = await signIn();
    const list = await call('GET', '/users/{id}/sessions', { id: aliceId });
    assert.equal(list.status, 200);
    assert.equal(list.body.items.length, 2);
    const [newest, oldest] = list.body.items;
    assert.ok(newest.createdAt > oldest.createdAt, 'newest first');
    assert.equal(newest.userId, aliceId);
    assert.equal(newest.ip, '127.0.0.1');
    assert.ok(!JSON.stringify(list.body).includes(first.browser.cookies.get('tsr_session')!), 'never the cookie');

    assert.equal((await call('DELETE', '/users/{id}/sessions/{sessionId}', { id: aliceId, sessionId: oldest.id })).status, 204);
    assert.equal(await signedIn(first.browser), false, 'the ended session is signed out at once');
    assert.equal(await signedIn(second.browser), true, 'the other one is not');
    assert.equal((await call('DELETE', '/users/{id}/sessions/{sessionId}', { id: aliceId, sessionId: oldest.id })).status, 404);

    const all = await call('DELETE', '/users/{id}/sessions', { id: aliceId });
    assert.deepEqual(all.body, { ended: 1 });
    assert.equal(await signedIn(second.browser), false);
    assert.deepEqual((await call('GET', '/users/{id}/sessions', { id: aliceId })).body.items, []);
  });

  it('lists grants and revokes one, which stops its refresh token', async () => {
    const kept = await signIn();
    clock.advance(10);
    const revoked = await signIn();
    clock.advance(10);
    const rotated = await server.post('/token', { grant_type: 'refresh_token', refresh_token: revoked.refreshToken }, asCalendar);
    assert.equal(rotated.status, 200);
    const list = await call('GET', '/users/{id}/grants', { id: aliceId });
    const grants = list.body.items as { id: string; clientId: string; scopes: string[]; refreshedAt?: number }[];
    assert.ok(grants.length >= 2);
    const newest = grants[0]!;
    assert.equal(newest.clientId, 'calendar-app');
    assert.deepEqual(newest.scopes, ['openid', 'read:calendars']);
    assert.equal(typeof newest.refreshedAt, 'number', 'the rotation shows');

    const done = await call('DELETE', '/users/{id}/grants/{grantId}', { id: aliceId, grantId: newest.id });
    assert.equal(done.status, 200);
    assert.equal(done.body.id, newest.id);
    const refused = await server.post('/token', { grant_type: 'refresh_token', refresh_token: rotated.body.refresh_token as string }, asCalendar);
    assert.equal(refused.body.error, 'invalid_grant');
    const other = await server.post('/token', { grant_type: 'refresh_token', refresh_token: kept.refreshToken }, asCalendar);
    assert.equal(other.status, 200, 'other grants keep working');
    assert.ok(!(await call('GET', '/users/{id}/grants', { id: aliceId })).body.items.some((g: { id: string }) => g.id === newest.id));
    assert.equal((await call('DELETE', '/users/{id}/grants/{grantId}', { id: aliceId, grantId: newest.id })).status, 404, 'already revoked');
    assert.equal((await call('DELETE', '/users/{id}/grants/{grantId}', { id: aliceId, grantId: 'no-such-grant' })).status, 404);
  });

  it('answers 403 without the scope, and 404 for an unknown user', async () => {
    for (const [method, path, scope] of [
      ['GET', '/users/{id}/sessions', 'read:sessions'],
      ['DELETE', '/users/{id}/sessions', 'write:sessions'],
      ['DELETE', '/users/{id}/sessions/{sessionId}', 'write:sessions'],
      ['GET', '/users/{id}/grants', 'read:grants'],
      ['DELETE', '/users/{id}/grants/{grantId}', 'write:grants'],
    ] as const) {
      const refused = await call(method, path, { id: aliceId, sessionId: 'x', grantId: 'x' }, reader);
      assert.equal(refused.status, 403, `${method} ${path}`);
      assert.equal(refused.body.error_description, `this call needs the ${scope} scope`);
      assert.equal((await call(method, path, { id: 'nobody', sessionId: 'x', grantId: 'x' })).status, 404);
    }
  });

  it('audits the changes with the caller as actor', async () => {
    await signIn();
    const [session] = (await call('GET', '/users/{id}/sessions', { id: aliceId })).body.items;
    await call('DELETE', '/users/{id}/sessions/{sessionId}', { id: aliceId, sessionId: session.id });
    await server.engine.audit.flush();
    const { events } = await server.engine.audit.query({ type: 'management.changed', limit: 20 });
    const event = events.find((e) => (e.details as { kind?: string; id?: string })?.id === session.id);
    assert.ok(event);
    assert.match(event.actor!.id, /\(root\)$/);
  });
});
