/**
 * Client authentication is throttled (RFC 6749 §10.10) per client id and per address,
 * on /token, /introspect and /revoke alike: after the free failures, 429 with
 * Retry-After, checked before the credentials (so a right secret is refused too).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FrozenClock } from '../../src/core/clock.js';
import { makeFixture, SECRETS } from '../support/fixture.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

describe('client authentication throttle', () => {
  const clock = new FrozenClock(Math.floor(Date.now() / 1000));
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config, clock });
  });
  after(() => server.close());

  const wrong = (path: string, clientId: string) =>
    server.post(path, { grant_type: 'client_credentials', token: 'x' }, basic(clientId, 'wrong-secret-0123456789'));

  it('slows down wrong secrets for one client id across endpoints, then lets it in again', async () => {
    const paths = ['/token', '/introspect', '/revoke'];
    for (let i = 0; i < 11; i++) assert.equal((await wrong(paths[i % 3]!, 'basic-client')).status, 401);
    const throttled = await wrong('/introspect', 'basic-client');
    assert.equal(throttled.status, 429);
    assert.equal(throttled.body.error, 'temporarily_unavailable');
    assert.match(throttled.body.error_description as string, /too many failed client authentications/);
    assert.equal(throttled.headers.get('retry-after'), '1');
    const right = await server.post('/token', { grant_type: 'client_credentials' }, basic('basic-client', SECRETS.basic));
    assert.equal(right.status, 429, 'the right secret waits too: no oracle while throttled');
    clock.advance(2);
    assert.equal((await server.post('/token', { grant_type: 'client_credentials' }, basic('basic-client', SECRETS.basic))).status, 200);
    assert.equal((await wrong('/token', 'basic-client')).status, 401);
    assert.equal((await wrong('/token', 'basic-client')).headers.get('retry-after'), '2', 'each further failure doubles the wait');
    await server.engine.audit.flush();
    const { events } = await server.engine.audit.query({ type: 'client.authentication_failed', clientId: 'basic-client', limit: 50 });
    assert.ok(events.some((e) => e.reason?.startsWith('throttled')));
  });

  it('throttles an address guessing across client ids', async () => {
    clock.advance(700);
    let last = 0;
    for (let i = 0; i < 25 && last !== 429; i++) last = (await wrong('/token', `guess-${i}`)).status;
    assert.equal(last, 429, 'an address meets its own limit');
    const other = await server.post('/token', { grant_type: 'client_credentials', client_id: 'post-client', client_secret: SECRETS.post });
    assert.equal(other.status, 429, 'every client from that address waits');
  });
});
