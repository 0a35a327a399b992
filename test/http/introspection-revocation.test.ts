/**
 * POST /introspect (RFC 7662) and POST /revoke (RFC 7009), black-box: who may see
 * which token, expiry under a frozen clock, and revocation of both token formats.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FrozenClock } from '../../src/core/clock.js';
import { makeFixture, MAPPERS, SECRETS } from '../support/fixture.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

describe('introspection and revocation', () => {
  let server: TestServer;
  const clock = new FrozenClock(Math.floor(Date.now() / 1000));
  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config, clock });
  });
  after(() => server.close());

  const asPost = { client_id: 'post-client', client_secret: SECRETS.post };
  const referenceToken = async () => (await server.post('/token', { grant_type: 'client_credentials', ...asPost })).body.access_token as string;
  const jwtToken = async () =>
    (await server.post('/token', { grant_type: 'client_credentials' }, basic('basic-client', SECRETS.basic))).body.access_token as string;
  const introspect = (token: string, who: 'post' | 'basic' | 'introspector') =>
    who === 'post'
      ? server.post('/introspect', { token, ...asPost })
      : server.post('/introspect', { token }, basic(who === 'basic' ? 'basic-client' : 'introspector', who === 'basic' ? SECRETS.basic : SECRETS.introspector));

  it('describes an active reference token to its own client', async () => {
    const token = await referenceToken();
    const res = await introspect(token, 'post');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(
      { ...res.body, iat: 0, exp: 0, jti: '' },
      {
        active: true,
        token_type: 'Bearer',
        token_kind: 'access_token',
        format: 'reference',
        iss: server.url,
        sub: 'post-client',
        aud: MAPPERS,
        client_id: 'post-client',
        scope: 'geocode route:plan',
        iat: 0,
        exp: 0,
        jti: '',
      },
    );
    assert.equal((res.body.exp as number) - (res.body.iat as number), 300);
  });

  it('hides other clients tokens unless the caller introspects any token', async () => {
    const token = await referenceToken();
    assert.deepEqual((await introspect(token, 'basic')).body, { active: false });
    assert.equal((await introspect(token, 'introspector')).body.active, true);
  });

  it('introspects its own JWT access tokens', async () => {
    const res = await introspect(await jwtToken(), 'basic');
    assert.equal(res.body.active, true);
    assert.equal(res.body.format, 'jwt');
  });

  it('reports expired, unknown, tampered and mistyped tokens as inactive', async () => {
    const reference = await referenceToken();
    const jwt = await jwtToken();
    const tampered = jwt.slice(0, -4) + (jwt.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const mistyped = reference.slice(0, -1) + (reference.endsWith('a') ? 'b' : 'a');
    for (const token of ['tsr_at_nonsense', 'not-a-token', tampered, mistyped, 'a.b.c']) {
      assert.deepEqual((await introspect(token, 'introspector')).body, { active: false }, token);
    }
    clock.advance(601);
    assert.deepEqual((await introspect(reference, 'introspector')).body, { active: false });
    assert.deepEqual((await introspect(jwt, 'basic')).body, { active: false });
  });

  it('requires client authentication, and refuses public clients', async () => {
    const token = await referenceToken();
    const anonymous = await server.post('/introspect', { token });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.error, 'invalid_client');
    const publicClient = await server.post('/introspect', { token, client_id: 'public-app' });
    assert.equal(publicClient.status, 401);
    const missing = await server.post('/introspect', { ...asPost });
    assert.equal(missing.body.error, 'invalid_request');
  });

  it('revokes a reference token for good', async () => {
    const token = await referenceToken();
    const res = await server.post('/revoke', { token, token_type_hint: 'access_token', ...asPost });
    assert.equal(res.status, 200);
    assert.deepEqual((await introspect(token, 'introspector')).body, { active: false });
  });

  it('revokes a JWT access token (introspection then says inactive)', async () => {
    const token = await jwtToken();
    const res = await server.post('/revoke', { token }, basic('basic-client', SECRETS.basic));
    assert.equal(res.status, 200);
    assert.deepEqual((await introspect(token, 'basic')).body, { active: false });
  });

  it('answers 200 for unknown tokens and refuses another client token', async () => {
    assert.equal((await server.post('/revoke', { token: 'tsr_at_whatever', ...asPost })).status, 200);
    const others = await jwtToken();
    const res = await server.post('/revoke', { token: others, ...asPost });
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'unauthorized_client');
    assert.equal((await introspect(others, 'basic')).body.active, true);
  });
});
