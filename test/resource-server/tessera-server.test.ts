/**
 * The SDK against a real Tessera: JWT access tokens in each signing algorithm, key
 * rotation while the SDK runs, reference tokens through introspection, revocation
 * within the bound, and tokens meant for someone else. Server and SDK share a frozen clock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FrozenClock } from '../../src/core/clock.js';
import { createAuthenticator, type AuthenticatorOptions, type AuthResult, type Principal } from '../../packages/resource-server/src/index.js';
import { makeFixture, MAPPERS, ORGANIZER, SECRETS } from '../support/fixture.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

const RSA_API = 'https://api.rsa.test';
const ED_API = 'https://api.ed.test';

describe('resource-server: against a real Tessera', () => {
  let server: TestServer;
  let other: TestServer;
  const clock = new FrozenClock(Math.floor(Date.now() / 1000));
  before(async () => {
    const { config } = await makeFixture();
    (config.apis as Record<string, unknown>[]).push(
      { identifier: RSA_API, name: 'RSA API', alg: 'RS256', ttl: 600, scopes: ['read'] },
      { identifier: ED_API, name: 'EdDSA API', alg: 'EdDSA', ttl: 600, scopes: ['read'] },
    );
    const client = (config.clients as Record<string, unknown>[]).find((c) => c.clientId === 'basic-client')!;
    client.permissions = { ...(client.permissions as object), [RSA_API]: ['read'], [ED_API]: ['read'] };
    server = await startTestServer({ config, clock });
    other = await startTestServer({ config, clock });
  });
  after(async () => {
    await server.close();
    await other.close();
  });

  const make = (audience: string, extra: Partial<AuthenticatorOptions> = {}) =>
    createAuthenticator({
      issuer: server.url,
      audience,
      clock,
      introspection: { clientId: 'introspector', clientSecret: SECRETS.introspector },
      ...extra,
    });
  const bearer = (token: string) => ({ method: 'GET', url: '/', headers: { authorization: `Bearer ${token}` } });
  const accepted = (result: AuthResult): Principal => {
    assert.ok(result.ok, result.ok ? '' : `refused: ${result.error.debug}`);
    return result.principal;
  };
  const reason = (result: AuthResult) => (result.ok ? 'accepted' : result.error.debug);
  const jwtFrom = async (s: TestServer, resource = ORGANIZER) => {
    const res = await s.post('/token', { grant_type: 'client_credentials', resource }, basic('basic-client', SECRETS.basic));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.access_token as string;
  };
  const referenceToken = async () =>
    (await server.post('/token', { grant_type: 'client_credentials', client_id: 'post-client', client_secret: SECRETS.post })).body.access_token as string;

  it('accepts its JWT access tokens, found through discovery', async () => {
    const auth = make(ORGANIZER);
    const principal = accepted(await auth.authenticate(bearer(await jwtFrom(server))));
    assert.equal(principal.kind, 'access_token');
    assert.equal(principal.format, 'jwt');
    assert.equal(principal.subject, 'basic-client');
    assert.equal(principal.clientId, 'basic-client');
    assert.equal(principal.user, undefined);
    assert.deepEqual(principal.scopes, ['read:calendars', 'write:calendars']);
    assert.equal(principal.expiresAt, clock.now() + 600);
    assert.match(principal.tokenId, /.+/);
  });

  it('accepts ES256, RS256 and EdDSA tokens', async () => {
    for (const api of [ORGANIZER, RSA_API, ED_API]) {
      const token = await jwtFrom(server, api);
      const alg = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).alg;
      assert.equal(accepted(await make(api).authenticate(bearer(token))).audience, api, alg);
    }
    assert.equal(reason(await make(RSA_API, { algorithms: ['ES256'] }).authenticate(bearer(await jwtFrom(server, RSA_API)))), 'alg_not_allowed');
  });

  it('refuses a token for another audience, and one from another Tessera', async () => {
    assert.equal(reason(await make(RSA_API).authenticate(bearer(await jwtFrom(server)))), 'wrong_audience');
    const stranger = await make(ORGANIZER).authenticate(bearer(await jwtFrom(other)));
    assert.equal(reason(stranger), 'unknown_key');
    assert.equal(!stranger.ok && stranger.error.status, 401);
    const elsewhere = createAuthenticator({
      issuer: other.url,
      audience: ORGANIZER,
      clock,
      jwksUri: `${server.url}/jwks`,
      introspectionEndpoint: `${server.url}/introspect`,
    });
    assert.equal(reason(await elsewhere.authenticate(bearer(await jwtFrom(server)))), 'wrong_issuer');
  });

  it('follows key rotation without a restart, and honours the old key until its tokens expire', async () => {
    const auth = make(ORGANIZER, { jwks: { cooldownSeconds: 30 } });
    const beforeRotation = await jwtFrom(server);
    accepted(await auth.authenticate(bearer(beforeRotation)));
    assert.equal(auth.stats.jwksFetches, 1);

    await server.engine.keys.rotate();
    const afterOne = await jwtFrom(server);
    assert.notEqual(
      JSON.parse(Buffer.from(afterOne.split('.')[0]!, 'base64url').toString()).kid,
      JSON.parse(Buffer.from(beforeRotation.split('.')[0]!, 'base64url').toString()).kid,
    );
    accepted(await auth.authenticate(bearer(afterOne)));
    assert.equal(auth.stats.jwksFetches, 1, 'the next key was published before it signed: no refetch');

    clock.advance(30);
    await server.engine.keys.rotate();
    const afterTwo = await jwtFrom(server);
    accepted(await auth.authenticate(bearer(afterTwo)));
    assert.equal(auth.stats.jwksFetches, 2, 'a key the SDK never saw: one refetch');

    const fresh = make(ORGANIZER);
    for (const token of [beforeRotation, afterOne, afterTwo]) accepted(await fresh.authenticate(bearer(token)));
    clock.advance(600 - 30 + 5);
    assert.equal(reason(await auth.authenticate(bearer(beforeRotation))), 'expired');
    assert.equal(reason(await fresh.authenticate(bearer(beforeRotation))), 'expired');
  });

  it('accepts reference tokens through introspection', async () => {
    const auth = make(MAPPERS);
    const token = await referenceToken();
    const principal = accepted(await auth.authenticate(bearer(token)));
    assert.deepEqual(
      { ...principal, tokenId: '' },
      {
        kind: 'access_token',
        format: 'reference',
        subject: 'post-client',
        user: undefined,
        serviceAccount: undefined,
        clientId: 'post-client',
        scopes: ['geocode', 'route:plan'],
        permissions: ['geocode', 'route:plan'],
        sandbox: false,
        tokenId: '',
        expiresAt: clock.now() + 300,
        audience: MAPPERS,
      },
    );
    assert.equal(reason(await make(ORGANIZER).authenticate(bearer(token))), 'wrong_audience');
    assert.equal(
      reason(await make(MAPPERS, { introspection: { clientId: 'introspector', clientSecret: 'wrong-secret-0123456789' } }).authenticate(bearer(token))),
      'introspection_unavailable',
    );
  });

  it('sees a revocation within the bound', async () => {
    const auth = make(MAPPERS);
    const token = await referenceToken();
    accepted(await auth.authenticate(bearer(token)));
    const revoked = await server.post('/revoke', { token, client_id: 'post-client', client_secret: SECRETS.post });
    assert.equal(revoked.status, 200);
    clock.advance(4);
    accepted(await auth.authenticate(bearer(token)));
    clock.advance(1);
    assert.equal(reason(await auth.authenticate(bearer(token))), 'revoked');

    const strict = make(MAPPERS, { introspection: { clientId: 'introspector', clientSecret: SECRETS.introspector, cacheSeconds: 0 } });
    const second = await referenceToken();
    accepted(await strict.authenticate(bearer(second)));
    await server.post('/revoke', { token: second, client_id: 'post-client', client_secret: SECRETS.post });
    assert.equal(reason(await strict.authenticate(bearer(second))), 'revoked');
  });

  it('refuses a mistyped reference token without asking the server', async () => {
    const auth = make(MAPPERS);
    const token = await referenceToken();
    const mistyped = token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a');
    assert.equal(reason(await auth.authenticate(bearer(mistyped))), 'bad_checksum');
    assert.equal(auth.stats.introspections, 0);
  });
});
