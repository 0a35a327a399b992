/**
 * Opaque credentials through introspection, against a fake issuer that answers per
 * Tessera's contract: reference tokens, PATs, SATs, user tokens and action tokens,
 * including answers no honest server gives (wrong kind, audience, issuer, nonsense).
 * The same kinds from the real server: tessera-credentials.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { FrozenClock } from '../../src/core/clock.js';
import { createAuthenticator, type AuthenticatorOptions, type AuthResult, type Principal } from '../../packages/resource-server/src/index.js';
import { AUDIENCE, INTROSPECTOR, startFakeIssuer, type FakeIssuer } from './support/fake-issuer.js';

describe('resource-server: introspected credentials', () => {
  let issuer: FakeIssuer;
  const clock = new FrozenClock(1_800_000_000);
  before(async () => {
    issuer = await startFakeIssuer({ now: () => clock.now() });
  });
  after(() => issuer.close());
  beforeEach(() => {
    issuer.answers.clear();
    issuer.down = false;
  });

  const make = (extra: Partial<AuthenticatorOptions> = {}) =>
    createAuthenticator({ issuer: issuer.url, audience: AUDIENCE, clock, introspection: { ...INTROSPECTOR }, ...extra });
  const request = (authorization: string, url = '/calendars', method = 'GET') => ({ method, url, headers: { authorization } });
  const accepted = (result: AuthResult): Principal => {
    assert.ok(result.ok, result.ok ? '' : `refused: ${result.error.debug}`);
    return result.principal;
  };
  const reason = (result: AuthResult) => (result.ok ? 'accepted' : result.error.debug);

  it('accepts a reference access token, introspected as the API client with client_secret_basic', async () => {
    const token = issuer.opaque('access_token');
    issuer.answers.set(token, {
      token_kind: 'access_token',
      sub: 'planner',
      client_id: 'planner',
      aud: AUDIENCE,
      scope: 'read:calendars',
      exp: clock.now() + 300,
      jti: 'ref-1',
    });
    const principal = accepted(await make().authenticate(request(`Bearer ${token}`)));
    assert.deepEqual(
      { ...principal },
      {
        kind: 'access_token',
        format: 'reference',
        subject: 'planner',
        user: undefined,
        serviceAccount: undefined,
        clientId: 'planner',
        scopes: ['read:calendars'],
        permissions: ['read:calendars'],
        sandbox: false,
        tokenId: 'ref-1',
        expiresAt: clock.now() + 300,
        audience: AUDIENCE,
      },
    );
    const sent = issuer.lastIntrospection!;
    assert.equal(sent.authorization, `Basic ${Buffer.from(`${INTROSPECTOR.clientId}:${INTROSPECTOR.clientSecret}`).toString('base64')}`);
    assert.deepEqual(Object.fromEntries(sent.params), { token, token_type_hint: 'access_token' });
  });

  it('accepts a personal access token for its user', async () => {
    const token = issuer.opaque('personal_access_token');
    issuer.answers.set(token, {
      token_kind: 'personal_access_token',
      sub: 'user-1',
      username: 'alice',
      scope: 'read:calendars',
      exp: clock.now() + 86_400,
      permissions: { [AUDIENCE]: ['read:calendars', 'write:calendars'], 'https://other.test': ['x'] },
    });
    const principal = accepted(await make().authenticate(request(`Bearer ${token}`)));
    assert.equal(principal.kind, 'personal_access_token');
    assert.deepEqual(principal.user, { id: 'user-1', username: 'alice' });
    assert.deepEqual(principal.scopes, ['read:calendars']);
    assert.deepEqual(principal.permissions, ['read:calendars', 'write:calendars']);
    assert.equal(issuer.lastIntrospection!.params.get('token_type_hint'), 'personal_access_token');
  });

  it('accepts a service access token for its service account', async () => {
    const token = issuer.opaque('service_access_token');
    issuer.answers.set(token, { token_kind: 'service_access_token', sub: 'sa-1', service_account: 'billing-sync', aud: AUDIENCE, scope: 'read:contacts' });
    const principal = accepted(await make().authenticate(request(`Bearer ${token}`)));
    assert.equal(principal.kind, 'service_access_token');
    assert.equal(principal.serviceAccount, 'billing-sync');
    assert.equal(principal.user, undefined);
    assert.equal(principal.expiresAt, undefined);
  });

  it("accepts a user token, with the user's permissions on this API as its scopes", async () => {
    const key = issuer.hexKey();
    issuer.answers.set(key, {
      token_kind: 'user_token',
      sub: 'user-1',
      username: 'alice',
      permissions: { [AUDIENCE]: ['read:calendars'], 'https://other.test': ['admin'] },
    });
    const principal = accepted(await make().authenticate(request(`Token ${key}`)));
    assert.equal(principal.kind, 'user_token');
    assert.deepEqual(principal.scopes, ['read:calendars']);
    assert.deepEqual(principal.permissions, ['read:calendars']);
    assert.equal(principal.expiresAt, undefined);
    assert.equal(issuer.lastIntrospection!.params.get('token_type_hint'), 'user_token');
    const none = issuer.hexKey();
    issuer.answers.set(none, { token_kind: 'user_token', sub: 'user-2' });
    assert.deepEqual(accepted(await make().authenticate(request(`Token ${none}`))).scopes, []);
  });

  it("enforces an action token's endpoints against the method and the normalised path", async () => {
    const key = issuer.hexKey();
    issuer.answers.set(key, {
      token_kind: 'action_token',
      sub: 'user-1',
      permissions: { [AUDIENCE]: ['read:calendars'] },
      allowed_endpoints: ['GET /calendars/*/events', 'POST /tasks'],
    });
    const auth = make();
    const principal = accepted(await auth.authenticate(request(`ActionToken ${key}`, '/calendars/42/events?from=today')));
    assert.deepEqual(principal.allowedEndpoints, ['GET /calendars/*/events', 'POST /tasks']);
    accepted(await auth.authenticate(request(`ActionToken ${key}`, '/tasks/', 'POST')));
    for (const [method, url] of [
      ['GET', '/calendars'],
      ['DELETE', '/calendars/42/events'],
      ['GET', '/tasks'],
      ['GET', '/calendars/42/../43/events'],
      ['GET', '/calendars/42%2F43/events'],
      ['GET', '//calendars/42/events'],
    ] as const) {
      const result = await auth.authenticate(request(`ActionToken ${key}`, url, method));
      assert.equal(reason(result), 'endpoint_not_allowed', `${method} ${url}`);
      assert.equal(!result.ok && result.error.status, 403);
      assert.equal(!result.ok && result.error.error, 'insufficient_scope');
    }
    const unlisted = issuer.hexKey();
    issuer.answers.set(unlisted, { token_kind: 'action_token', sub: 'user-1' });
    assert.equal(reason(await auth.authenticate(request(`ActionToken ${unlisted}`, '/'))), 'endpoint_not_allowed', 'no list: nothing allowed');
  });

  it('refuses a credential sent under the wrong scheme or of the wrong kind', async () => {
    const action = issuer.hexKey();
    issuer.answers.set(action, { token_kind: 'action_token', sub: 'user-1', allowed_endpoints: ['GET /a'] });
    const user = issuer.hexKey();
    issuer.answers.set(user, { token_kind: 'user_token', sub: 'user-1' });
    const refresh = issuer.opaque('access_token');
    issuer.answers.set(refresh, { token_kind: 'refresh_token', sub: 'user-1', client_id: 'app' });
    const pat = issuer.opaque('personal_access_token');
    issuer.answers.set(pat, { token_kind: 'service_access_token', sub: 'sa-1' });
    const auth = make();
    assert.equal(
      reason(await auth.authenticate(request(`Token ${action}`, '/b'))),
      'wrong_token_kind',
      'an action token cannot escape its endpoints as a user token',
    );
    assert.equal(reason(await auth.authenticate(request(`ActionToken ${user}`, '/a'))), 'wrong_token_kind');
    assert.equal(reason(await auth.authenticate(request(`Bearer ${user}`))), 'malformed_token');
    assert.equal(reason(await auth.authenticate(request(`Bearer ${refresh}`))), 'wrong_token_kind');
    assert.equal(reason(await auth.authenticate(request(`Bearer ${pat}`))), 'wrong_token_kind');
    const before = issuer.counts.introspection;
    assert.equal(reason(await auth.authenticate(request(`Bearer ${issuer.opaque('refresh_token')}`))), 'wrong_token_kind');
    assert.equal(reason(await auth.authenticate(request(`Bearer ${issuer.opaque('authorization_code')}`))), 'wrong_token_kind');
    assert.equal(issuer.counts.introspection, before, 'refresh tokens and codes are refused without asking');
  });

  it('checks aud, iss and exp when the answer has them', async () => {
    const auth = make();
    const cases: [Record<string, unknown>, string][] = [
      [{ aud: 'https://api.other.test' }, 'wrong_audience'],
      [{ aud: ['https://api.other.test'] }, 'wrong_audience'],
      [{ iss: 'https://evil.test' }, 'wrong_issuer'],
      [{ exp: clock.now() }, 'expired'],
      [{ aud: [AUDIENCE, 'https://x.test'], iss: issuer.url, exp: clock.now() + 1 }, 'accepted'],
    ];
    for (const [claims, expected] of cases) {
      const token = issuer.opaque('personal_access_token');
      issuer.answers.set(token, { token_kind: 'personal_access_token', sub: 'user-1', scope: '', ...claims });
      assert.equal(reason(await auth.authenticate(request(`Bearer ${token}`))), expected, JSON.stringify(claims));
    }
  });

  it('refuses locally, without a call, tokens with a bad checksum', async () => {
    const token = issuer.opaque('personal_access_token');
    issuer.answers.set(token, { token_kind: 'personal_access_token', sub: 'user-1' });
    const mistyped = token.slice(0, 20) + (token[20] === 'a' ? 'b' : 'a') + token.slice(21);
    const before = issuer.counts.introspection;
    assert.equal(reason(await make().authenticate(request(`Bearer ${mistyped}`))), 'bad_checksum');
    assert.equal(issuer.counts.introspection, before);
  });

  it('makes a revocation visible within the bound (default 5 s), and says revoked', async () => {
    const auth = make();
    const token = issuer.opaque('personal_access_token');
    issuer.answers.set(token, { token_kind: 'personal_access_token', sub: 'user-1', scope: 'read:calendars' });
    accepted(await auth.authenticate(request(`Bearer ${token}`)));
    issuer.answers.delete(token); // revoked at the server
    clock.advance(4);
    accepted(await auth.authenticate(request(`Bearer ${token}`))); // still within the bound: the cached answer
    clock.advance(1);
    assert.equal(reason(await auth.authenticate(request(`Bearer ${token}`))), 'revoked');
    assert.equal(auth.stats.introspections, 2);
    const unknown = issuer.opaque('personal_access_token');
    assert.equal(reason(await auth.authenticate(request(`Bearer ${unknown}`))), 'inactive');
  });

  it('honours a tighter bound, down to none at all', async () => {
    const auth = make({ introspection: { ...INTROSPECTOR, cacheSeconds: 0 } });
    const key = issuer.hexKey();
    issuer.answers.set(key, { token_kind: 'user_token', sub: 'user-1' });
    accepted(await auth.authenticate(request(`Token ${key}`)));
    issuer.answers.delete(key);
    assert.equal(reason(await auth.authenticate(request(`Token ${key}`))), 'revoked');
  });

  it('says expired when a token it saw active has run out', async () => {
    const auth = make();
    const token = issuer.opaque('access_token');
    issuer.answers.set(token, { token_kind: 'access_token', sub: 'planner', client_id: 'planner', aud: AUDIENCE, exp: clock.now() + 3 });
    accepted(await auth.authenticate(request(`Bearer ${token}`)));
    clock.advance(3);
    assert.equal(reason(await auth.authenticate(request(`Bearer ${token}`))), 'expired', 'from the cached answer');
    issuer.answers.delete(token);
    clock.advance(10);
    assert.equal(reason(await auth.authenticate(request(`Bearer ${token}`))), 'expired', 'after asking again');
  });

  it('shares one call among concurrent requests with the same token', async () => {
    const auth = make();
    const token = issuer.opaque('service_access_token');
    issuer.answers.set(token, { token_kind: 'service_access_token', sub: 'sa-1' });
    const results = await Promise.all(Array.from({ length: 10 }, () => auth.authenticate(request(`Bearer ${token}`))));
    assert.ok(results.every((r) => r.ok));
    assert.equal(auth.stats.introspections, 1);
  });

  it('answers 503 when introspection fails or answers nonsense, never invalid_token', async () => {
    const token = issuer.opaque('personal_access_token');
    issuer.answers.set(token, { token_kind: 'personal_access_token', sub: 'user-1' });
    issuer.down = true;
    const down = await make().authenticate(request(`Bearer ${token}`));
    assert.equal(reason(down), 'introspection_unavailable');
    assert.equal(!down.ok && down.error.status, 503);
    issuer.down = false;
    const wrongSecret = await make({ introspection: { clientId: INTROSPECTOR.clientId, clientSecret: 'wrong' } }).authenticate(request(`Bearer ${token}`));
    assert.equal(reason(wrongSecret), 'introspection_unavailable');
    for (const nonsense of [
      { token_kind: 'banana', sub: 'x' },
      { token_kind: 'user_token' },
      { token_kind: 'user_token', sub: 'x', exp: 'soon' },
      { token_kind: 'user_token', sub: 'x', permissions: { [AUDIENCE]: 'all' } },
    ]) {
      issuer.answers.set(token, nonsense);
      assert.equal(reason(await make().authenticate(request(`Bearer ${token}`))), 'introspection_unavailable', JSON.stringify(nonsense));
    }
    const unreachable = createAuthenticator({ issuer: 'http://127.0.0.1:1', audience: AUDIENCE, clock, introspection: { ...INTROSPECTOR }, timeoutMs: 2000 });
    assert.equal(reason(await unreachable.authenticate(request(`Bearer ${token}`))), 'introspection_unavailable');
  });
});
