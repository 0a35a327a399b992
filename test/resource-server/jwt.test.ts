/**
 * Bearer JWT access tokens against a fake issuer that signs whatever the test asks:
 * every claim check, hostile tokens, the verified-token cache and the JWKS cache.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { FrozenClock } from '../../src/core/clock.js';
import { createAuthenticator, type AuthenticatorOptions, type AuthResult, type Principal } from '../../packages/resource-server/src/index.js';
import { AUDIENCE, startFakeIssuer, type FakeIssuer } from './support/fake-issuer.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('resource-server: JWT access tokens', () => {
  let issuer: FakeIssuer;
  const clock = new FrozenClock(1_800_000_000);
  before(async () => {
    issuer = await startFakeIssuer({ now: () => clock.now() });
  });
  after(() => issuer.close());

  const make = (extra: Partial<AuthenticatorOptions> = {}) => createAuthenticator({ issuer: issuer.url, audience: AUDIENCE, clock, ...extra });
  const bearer = (token: string) => ({ method: 'GET', url: '/calendars', headers: { authorization: `Bearer ${token}` } });
  const accepted = (result: AuthResult): Principal => {
    assert.ok(result.ok, result.ok ? '' : `refused: ${result.error.debug}`);
    return result.principal;
  };
  const reason = (result: AuthResult) => (result.ok ? 'accepted' : result.error.debug);

  it('accepts a valid at+jwt and describes its principal', async () => {
    const auth = make();
    const principal = accepted(await auth.authenticate(bearer(await issuer.jwt({ jti: 'jti-1' }))));
    assert.deepEqual(
      { ...principal },
      {
        kind: 'access_token',
        format: 'jwt',
        subject: 'alice-id',
        user: { id: 'alice-id' },
        serviceAccount: undefined,
        clientId: 'calendar-app',
        scopes: ['read:calendars', 'write:calendars'],
        permissions: ['read:calendars', 'write:calendars'],
        sandbox: false,
        tokenId: 'jti-1',
        expiresAt: clock.now() + 600,
        audience: AUDIENCE,
      },
    );
    assert.ok(Object.isFrozen(principal) && Object.isFrozen(principal.scopes));
  });

  it('tells a client acting for itself, a sandbox, and Auth0-style permissions', async () => {
    const auth = make();
    const m2m = accepted(await auth.authenticate(bearer(await issuer.jwt({ sub: 'planner', client_id: 'planner', scope: undefined }))));
    assert.equal(m2m.user, undefined);
    assert.deepEqual(m2m.scopes, []);
    const sandboxed = accepted(await auth.authenticate(bearer(await issuer.jwt({ sub: 'sbx_abc', sandbox: true }))));
    assert.equal(sandboxed.sandbox, true);
    const rbac = accepted(await auth.authenticate(bearer(await issuer.jwt({ permissions: ['read:calendars'] }))));
    assert.deepEqual(rbac.permissions, ['read:calendars']);
  });

  it('accepts an audience list that includes ours, and typ application/at+jwt', async () => {
    const auth = make();
    accepted(await auth.authenticate(bearer(await issuer.jwt({ aud: ['https://other.test', AUDIENCE] }))));
    accepted(await auth.authenticate(bearer(await issuer.jwt({}, { typ: 'application/at+jwt' }))));
  });

  it('refuses wrong issuer, audience, typ, and missing claims', async () => {
    const auth = make();
    const cases: [Promise<string>, string][] = [
      [issuer.jwt({ iss: 'https://evil.test' }), 'wrong_issuer'],
      [issuer.jwt({ iss: undefined }), 'invalid_claims'],
      [issuer.jwt({ aud: 'https://api.other.test' }), 'wrong_audience'],
      [issuer.jwt({ aud: undefined }), 'invalid_claims'],
      [issuer.jwt({}, { typ: 'JWT' }), 'wrong_typ'],
      [issuer.jwt({}, { typ: 'id_token+jwt' }), 'wrong_typ'],
      [issuer.jwt({}, { typ: undefined }), 'wrong_typ'],
      [issuer.jwt({ jti: undefined }), 'invalid_claims'],
      [issuer.jwt({ client_id: undefined }), 'invalid_claims'],
      [issuer.jwt({ sub: undefined }), 'invalid_claims'],
      [issuer.jwt({ exp: undefined }), 'invalid_claims'],
      [issuer.jwt({ scope: ['read:calendars'] as unknown as string }), 'invalid_claims'],
    ];
    for (const [token, expected] of cases) assert.equal(reason(await auth.authenticate(bearer(await token))), expected, expected);
  });

  it('checks exp and nbf with a small clock tolerance', async () => {
    const auth = make({ clockTolerance: 5 });
    const now = clock.now();
    accepted(await auth.authenticate(bearer(await issuer.jwt({ exp: now - 4 }))));
    assert.equal(reason(await auth.authenticate(bearer(await issuer.jwt({ exp: now - 5 })))), 'expired');
    accepted(await auth.authenticate(bearer(await issuer.jwt({ nbf: now + 5 }))));
    assert.equal(reason(await auth.authenticate(bearer(await issuer.jwt({ nbf: now + 6 })))), 'not_yet_valid');
  });

  it('refuses alg none, HS256 signed with the public key, and algorithms off the list', async () => {
    const auth = make({ algorithms: ['ES256'] });
    const key = issuer.published[0]!;
    const claims = { iss: issuer.url, sub: 'alice-id', aud: AUDIENCE, client_id: 'calendar-app', iat: clock.now(), exp: clock.now() + 600, jti: 'x' };
    const none = `${b64({ alg: 'none', typ: 'at+jwt', kid: key.kid })}.${b64(claims)}.`;
    assert.equal(reason(await auth.authenticate(bearer(none))), 'alg_not_allowed');
    const noneUpper = `${b64({ alg: 'NONE', typ: 'at+jwt' })}.${b64(claims)}.`;
    assert.equal(reason(await auth.authenticate(bearer(noneUpper))), 'alg_not_allowed');
    // Key confusion: an HMAC keyed with the public key, as a naive verifier would check it.
    for (const secret of [JSON.stringify(key.publicJwk), key.publicJwk.x!]) {
      const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid: key.kid })}.${b64(claims)}`;
      const forged = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
      assert.equal(reason(await auth.authenticate(bearer(forged))), 'alg_not_allowed');
    }
    const rsa = await issuer.newKey('RS256');
    issuer.published.push(rsa);
    try {
      assert.equal(reason(await auth.authenticate(bearer(await issuer.jwt({}, { key: rsa })))), 'alg_not_allowed');
      accepted(await make().authenticate(bearer(await issuer.jwt({}, { key: rsa }))));
      // A header that lies about the algorithm of its key: an ES256 signature relabelled RS256.
      const [, p, s] = (await issuer.jwt()).split('.');
      const relabelled = `${b64({ alg: 'RS256', kid: rsa.kid, typ: 'at+jwt' })}.${p}.${s}`;
      assert.equal(reason(await make().authenticate(bearer(relabelled))), 'bad_signature');
    } finally {
      issuer.published.pop();
    }
  });

  it('refuses a tampered token and a foreign key', async () => {
    const auth = make();
    const token = await issuer.jwt();
    const [h, p, s] = token.split('.') as [string, string, string];
    const widened = b64({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), scope: 'admin' });
    assert.equal(reason(await auth.authenticate(bearer(`${h}.${widened}.${s}`))), 'bad_signature');
    const foreign = await issuer.newKey('ES256');
    assert.equal(reason(await auth.authenticate(bearer(await issuer.jwt({}, { key: foreign })))), 'unknown_key');
    assert.equal(reason(await auth.authenticate(bearer(await issuer.jwt({}, { key: foreign, kid: issuer.published[0]!.kid })))), 'bad_signature');
    for (const garbage of ['a.b.c', `${h}.${p}.`, `${h}.!!.${s}`, `${b64('x')}.${p}.${s}`]) {
      assert.match(reason(await auth.authenticate(bearer(garbage))), /^(malformed_jwt|malformed_header|bad_signature)$/, garbage);
    }
  });

  it('caches a verified token by its hash until it expires', async () => {
    const auth = make();
    const token = await issuer.jwt({ exp: clock.now() + 60 });
    const first = accepted(await auth.authenticate(bearer(token)));
    assert.equal(accepted(await auth.authenticate(bearer(token))), first, 'the same principal, from the cache');
    clock.advance(64);
    assert.equal(accepted(await auth.authenticate(bearer(token))), first, 'within the clock tolerance');
    clock.advance(1);
    assert.equal(reason(await auth.authenticate(bearer(token))), 'expired');
  });

  it("never answers from the cache for another token that shares a cached one's signature", async () => {
    // The cache finds a slot by the token's tail (its signature) and must confirm the whole token.
    const auth = make();
    const token = await issuer.jwt();
    accepted(await auth.authenticate(bearer(token)));
    const [h, p, s] = token.split('.') as [string, string, string];
    const widened = b64({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), scope: 'admin' });
    assert.equal(reason(await auth.authenticate(bearer(`${h}.${widened}.${s}`))), 'bad_signature');
    assert.equal(accepted(await auth.authenticate(bearer(token))).scopes.includes('admin'), false);
  });

  it('refetches the JWKS on an unknown kid, at most once per cooldown', async () => {
    const auth = make({ jwks: { cooldownSeconds: 30 } });
    accepted(await auth.authenticate(bearer(await issuer.jwt())));
    assert.equal(auth.stats.jwksFetches, 1);
    clock.advance(30);
    const rotated = await issuer.newKey('ES256');
    issuer.published.push(rotated);
    try {
      accepted(await auth.authenticate(bearer(await issuer.jwt({}, { key: rotated }))));
      assert.equal(auth.stats.jwksFetches, 2, 'a new kid: one refetch');
      const stranger = await issuer.newKey('ES256');
      const forged = await Promise.all(Array.from({ length: 20 }, () => issuer.jwt({}, { key: stranger, kid: `random-${Math.random()}` })));
      const results = await Promise.all(forged.map((t) => auth.authenticate(bearer(t))));
      assert.ok(results.every((r) => reason(r) === 'unknown_key'));
      assert.equal(auth.stats.jwksFetches, 2, 'random kids within the cooldown: no refetch');
      clock.advance(30);
      await Promise.all(forged.map((t) => auth.authenticate(bearer(t))));
      assert.equal(auth.stats.jwksFetches, 3, 'after the cooldown: one refetch for twenty unknown kids');
    } finally {
      issuer.published.pop();
    }
  });

  it('refreshes an old key set, and keeps it if the refresh fails', async () => {
    let fail = false;
    const auth = make({ jwks: { maxAgeSeconds: 600 }, fetch: (url, init) => (fail ? Promise.reject(new Error('down')) : fetch(url, init)) });
    accepted(await auth.authenticate(bearer(await issuer.jwt())));
    clock.advance(600);
    accepted(await auth.authenticate(bearer(await issuer.jwt())));
    assert.equal(auth.stats.jwksFetches, 2);
    clock.advance(600);
    fail = true;
    accepted(await auth.authenticate(bearer(await issuer.jwt())));
  });

  it('answers 503 when the keys cannot be fetched, and recovers', async () => {
    let fail = true;
    const auth = make({ fetch: (url, init) => (fail ? Promise.reject(new Error('ECONNREFUSED')) : fetch(url, init)) });
    const result = await auth.authenticate(bearer(await issuer.jwt()));
    assert.equal(reason(result), 'jwks_unavailable');
    assert.equal(!result.ok && result.error.status, 503);
    assert.equal(!result.ok && result.error.wwwAuthenticate, undefined);
    fail = false;
    accepted(await auth.authenticate(bearer(await issuer.jwt())));
  });

  it('refuses to trust a discovery document that names another issuer', async () => {
    const auth = createAuthenticator({
      issuer: `${issuer.url}/other`,
      audience: AUDIENCE,
      clock,
      jwksUri: undefined,
      fetch: (url, init) => fetch(url.replace('/other', ''), init),
    });
    assert.equal(reason(await auth.authenticate(bearer(await issuer.jwt({ iss: `${issuer.url}/other` })))), 'jwks_unavailable');
  });
});
