/**
 * The seed credentials from a real Tessera through the SDK: personal and service access
 * tokens, user tokens and action tokens, each accepted, described, and refused once
 * revoked (within the bound) or misused. Server and SDK share a frozen clock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FrozenClock } from '../../src/core/clock.js';
import { createAuthenticator, type Authenticator, type AuthResult, type Principal } from '../../packages/resource-server/src/index.js';
import { makeFixture, MAPPERS, ORGANIZER, SECRETS } from '../support/fixture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('resource-server: seed credentials from a real Tessera', () => {
  let server: TestServer;
  let auth: Authenticator;
  let aliceId: string;
  const clock = new FrozenClock(Math.floor(Date.now() / 1000));
  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config, clock });
    aliceId = (await server.engine.store.getUserByUsername('alice'))!.id;
    auth = createAuthenticator({
      issuer: server.url,
      audience: ORGANIZER,
      clock,
      introspection: { clientId: 'introspector', clientSecret: SECRETS.introspector },
    });
  });
  after(() => server.close());

  const call = (authorization: string, url = '/calendars', method = 'GET') => auth.authenticate({ method, url, headers: { authorization } });
  const accepted = (result: AuthResult): Principal => {
    assert.ok(result.ok, result.ok ? '' : `refused: ${result.error.debug}`);
    return result.principal;
  };
  const reason = (result: AuthResult) => (result.ok ? 'accepted' : result.error.debug);

  it('accepts a personal access token as its user, and sees its revocation within 5 s', async () => {
    const { token, summary } = await server.engine.credentials.createPersonalAccessToken(aliceId, {
      name: 'ci',
      api: ORGANIZER,
      scopes: ['read:calendars'],
      expiresIn: 3600,
    });
    const principal = accepted(await call(`Bearer ${token}`));
    assert.equal(principal.kind, 'personal_access_token');
    assert.deepEqual(principal.user, { id: aliceId, username: 'alice' });
    assert.deepEqual(principal.scopes, ['read:calendars']);
    assert.equal(principal.expiresAt, clock.now() + 3600);
    await server.engine.credentials.revoke(summary.id);
    clock.advance(5);
    assert.equal(reason(await call(`Bearer ${token}`)), 'revoked');
  });

  it('narrows a PAT to what its user still holds (issue 13, item 7)', async () => {
    const alice = (await server.engine.store.getUserByUsername('alice'))!;
    await server.engine.store.upsertUser({ ...alice, roles: ['calendar-writer'] });
    const { token } = await server.engine.credentials.createPersonalAccessToken(aliceId, {
      name: 'w',
      api: ORGANIZER,
      scopes: ['read:calendars', 'write:calendars'],
    });
    assert.deepEqual(accepted(await call(`Bearer ${token}`)).scopes, ['read:calendars', 'write:calendars']);
    await server.engine.store.upsertUser(alice);
    clock.advance(5);
    assert.deepEqual(accepted(await call(`Bearer ${token}`)).scopes, ['read:calendars'], 'the lost scope is gone once the answer is no longer cached');
  });

  it('accepts a service access token as its service account', async () => {
    const account = (await server.engine.store.getServiceAccountByName('nightly-sync'))!;
    const { token } = await server.engine.credentials.createServiceAccessToken(account.id, { name: 'sync', api: ORGANIZER, scopes: ['write:calendars'] });
    const principal = accepted(await call(`Bearer ${token}`));
    assert.equal(principal.kind, 'service_access_token');
    assert.equal(principal.serviceAccount, 'nightly-sync');
    assert.equal(principal.subject, account.id);
    assert.equal(principal.user, undefined);
    assert.deepEqual(principal.scopes, ['write:calendars']);
    assert.equal(reason(await call(`Token ${token}`)), 'malformed_token');
  });

  it("accepts a user token with the user's permissions on this API", async () => {
    const { token } = await server.engine.credentials.regenerateUserToken(aliceId);
    const principal = accepted(await call(`Token ${token}`));
    assert.equal(principal.kind, 'user_token');
    assert.deepEqual(principal.scopes, ['read:calendars']);
    assert.equal(principal.expiresAt, undefined);
    assert.equal(reason(await call(`ActionToken ${token}`)), 'wrong_token_kind');
    assert.equal(reason(await call(`Bearer ${token}`)), 'malformed_token');
    const mappers = createAuthenticator({
      issuer: server.url,
      audience: MAPPERS,
      clock,
      introspection: { clientId: 'introspector', clientSecret: SECRETS.introspector },
    });
    assert.deepEqual(accepted(await mappers.authenticate({ method: 'GET', url: '/', headers: { authorization: `Token ${token}` } })).scopes, []);
  });

  it('holds an action token to its endpoints', async () => {
    const { token } = await server.engine.credentials.createActionToken(aliceId, { name: 'feed', endpoints: ['GET /calendars/*/events'] });
    const principal = accepted(await call(`ActionToken ${token}`, '/calendars/7/events?since=2026-01-01'));
    assert.equal(principal.kind, 'action_token');
    assert.deepEqual(principal.allowedEndpoints, ['GET /calendars/*/events']);
    assert.equal(reason(await call(`ActionToken ${token}`, '/calendars')), 'endpoint_not_allowed');
    assert.equal(reason(await call(`ActionToken ${token}`, '/calendars/7/events', 'DELETE')), 'endpoint_not_allowed');
    assert.equal(reason(await call(`ActionToken ${token}`, '/calendars/7/../8/events')), 'endpoint_not_allowed');
    assert.equal(reason(await call(`Token ${token}`, '/calendars/7/events')), 'wrong_token_kind', 'not usable as a user token');
  });
});
