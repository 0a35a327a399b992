/**
 * POST /token with client_credentials, black-box over HTTP: audiences, scopes,
 * token formats and each RFC 6749 §5.2 error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeFixture, MAPPERS, ORGANIZER, SECRETS } from '../support/fixture.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('token endpoint: client_credentials', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config });
  });
  after(() => server.close());

  const asBasicClient = (form: Record<string, string | string[]>) =>
    server.post('/token', { grant_type: 'client_credentials', ...form }, basic('basic-client', SECRETS.basic));

  it('issues an RFC 9068 JWT for the client API with every granted scope by default', async () => {
    const res = await asBasicClient({});
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(res.body.expires_in, 600);
    assert.equal(res.body.scope, 'read:calendars write:calendars');
    const claims = claimsOf(res.body.access_token as string);
    assert.equal(claims.iss, server.url);
    assert.equal(claims.aud, ORGANIZER);
    assert.equal(claims.sub, 'basic-client');
    assert.equal(claims.client_id, 'basic-client');
    assert.equal((claims.exp as number) - (claims.iat as number), 600);
    assert.match(claims.jti as string, /^[0-9a-f-]{36}$/);
  });

  it('narrows to the requested scopes', async () => {
    const res = await asBasicClient({ scope: 'read:calendars' });
    assert.equal(res.body.scope, 'read:calendars');
  });

  it('refuses scopes the client was not granted, or that the API does not define', async () => {
    for (const scope of ['read:contacts', 'read:calendars admin', 'geocode']) {
      const res = await asBasicClient({ scope });
      assert.equal(res.status, 400, scope);
      assert.equal(res.body.error, 'invalid_scope');
    }
  });

  it('picks the API from resource (RFC 8707) or audience, with that API format', async () => {
    for (const param of ['resource', 'audience']) {
      const res = await asBasicClient({ [param]: MAPPERS });
      assert.equal(res.status, 200);
      assert.match(res.body.access_token as string, /^tsr_at_[0-9A-Za-z]{49}$/);
      assert.equal(res.body.scope, 'geocode');
    }
  });

  it('answers invalid_target for an unknown, a forbidden or several resources', async () => {
    const cases: Record<string, string | string[]>[] = [
      { resource: 'https://unknown.test' },
      { resource: 'not a uri' },
      { resource: `${ORGANIZER}#frag` },
      { resource: [ORGANIZER, MAPPERS] },
    ];
    for (const form of cases) {
      const res = await asBasicClient(form);
      assert.equal(res.status, 400, JSON.stringify(form));
      assert.equal(res.body.error, 'invalid_target', JSON.stringify(form));
    }
    const forbidden = await server.post('/token', {
      grant_type: 'client_credentials',
      client_id: 'post-client',
      client_secret: SECRETS.post,
      resource: ORGANIZER,
    });
    assert.equal(forbidden.body.error, 'invalid_target');
  });

  it('answers invalid_client with a Basic challenge for a wrong secret or an unknown client', async () => {
    for (const headers of [basic('basic-client', 'wrong-secret'), basic('nobody', 'whatever')]) {
      const res = await server.post('/token', { grant_type: 'client_credentials' }, headers);
      assert.equal(res.status, 401);
      assert.equal(res.body.error, 'invalid_client');
      assert.match(res.headers.get('www-authenticate') ?? '', /^Basic /);
      assert.equal(res.headers.get('cache-control'), 'no-store');
    }
  });

  it('answers invalid_client without a challenge when the secret was in the body', async () => {
    const res = await server.post('/token', { grant_type: 'client_credentials', client_id: 'post-client', client_secret: 'nope' });
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'invalid_client');
    assert.equal(res.headers.get('www-authenticate'), null);
  });

  it('accepts only the authentication method the client registered', async () => {
    const res = await server.post('/token', { grant_type: 'client_credentials' }, basic('post-client', SECRETS.post));
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'invalid_client');
  });

  it('refuses two authentication methods at once', async () => {
    const res = await server.post('/token', { grant_type: 'client_credentials', client_secret: SECRETS.basic }, basic('basic-client', SECRETS.basic));
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_request');
  });

  it('answers unsupported_grant_type and unauthorized_client', async () => {
    const unknown = await asBasicClient({ grant_type: 'urn:example:magic' });
    assert.equal(unknown.body.error, 'unsupported_grant_type');
    const publicClient = await server.post('/token', { grant_type: 'client_credentials', client_id: 'public-app' });
    assert.equal(publicClient.status, 400);
    assert.equal(publicClient.body.error, 'unauthorized_client');
  });

  it('answers invalid_request for a missing grant_type or a repeated parameter', async () => {
    const missing = await server.post('/token', {}, basic('basic-client', SECRETS.basic));
    assert.equal(missing.body.error, 'invalid_request');
    assert.match(missing.body.error_description as string, /grant_type/);
    const repeated = await asBasicClient({ scope: ['read:calendars', 'write:calendars'] });
    assert.equal(repeated.status, 400);
    assert.equal(repeated.body.error, 'invalid_request');
    assert.match(repeated.body.error_description as string, /scope must not be repeated/);
  });

  it('keeps working with a rotated-in secret (several secrets per client)', async () => {
    await server.engine.apply(
      (await import('../../src/core/config/load.js')).validateConfig(
        {
          clients: [
            {
              clientId: 'basic-client',
              secrets: [SECRETS.basic, 'a-second-secret-for-rotation'],
              api: ORGANIZER,
              scopes: ['read:calendars', 'write:calendars'],
              permissions: { [MAPPERS]: ['geocode'] },
            },
          ],
        },
        'rotation',
        { apis: await server.engine.store.listApis(), roles: [] },
      ),
    );
    const res = await server.post('/token', { grant_type: 'client_credentials' }, basic('basic-client', 'a-second-secret-for-rotation'));
    assert.equal(res.status, 200);
    const old = await asBasicClient({});
    assert.equal(old.status, 200);
  });
});
