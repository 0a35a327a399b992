/**
 * The Authorization header, hostile or not, and the RFC 6750 errors it earns. Nothing
 * here may reach the network: the authenticator's fetch fails the test if called.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAuthenticator, renderAuthError, type AuthenticatorOptions, type AuthResult } from '../../packages/resource-server/src/index.js';
import { TOKEN_PREFIXES, tokenChecksum } from '@tessera/resource-server/shared';

const noNetwork: AuthenticatorOptions['fetch'] = () => assert.fail('no request may reach the issuer');

function make(extra: Partial<AuthenticatorOptions> = {}) {
  return createAuthenticator({
    issuer: 'https://auth.example.test',
    audience: 'https://api.example.test',
    introspection: { clientId: 'api', clientSecret: 'api-secret-0123456789' },
    fetch: noNetwork,
    ...extra,
  });
}

const call = (authorization: string | string[] | undefined, extra: Partial<AuthenticatorOptions> = {}) =>
  make(extra).authenticate({ method: 'GET', url: '/calendars', headers: { authorization } });

function refused(result: AuthResult) {
  assert.equal(result.ok, false);
  return (result as Extract<AuthResult, { ok: false }>).error;
}

describe('resource-server: headers and errors', () => {
  it('asks for credentials, without an error code, when none are sent (RFC 6750 §3.1)', async () => {
    for (const header of [undefined, '']) {
      const error = refused(await call(header));
      assert.deepEqual([error.status, error.error, error.wwwAuthenticate, error.debug], [401, undefined, 'Bearer', 'missing_credentials']);
    }
    const error = refused(await call(undefined, { realm: 'organizer' }));
    assert.equal(error.wwwAuthenticate, 'Bearer realm="organizer"');
  });

  it('treats another scheme like no credentials', async () => {
    for (const header of ['Basic YWxpY2U6c2VjcmV0', 'Digest username="a", realm="b"', 'Negotiate']) {
      const error = refused(await call(header));
      assert.deepEqual([error.status, error.error, error.debug], [401, undefined, 'unsupported_scheme'], header);
    }
  });

  it('answers 400 invalid_request to a malformed, repeated or huge header', async () => {
    const cases: [string | string[], string][] = [
      ['Bearer', 'malformed_header'],
      ['Bearer ', 'malformed_header'],
      ['Bearer a b', 'malformed_header'],
      ['Bearer a,b', 'malformed_header'],
      ['Bearer "quoted"', 'malformed_header'],
      ['Bearer tok\u0000en', 'malformed_header'],
      ['Bearer tøken', 'malformed_header'],
      ['Token', 'malformed_header'],
      [['Bearer a', 'Bearer b'], 'multiple_credentials'],
      [`Bearer ${'a'.repeat(8200)}`, 'header_too_large'],
      [`Bearer ${'a'.repeat(1 << 20)}`, 'header_too_large'],
    ];
    for (const [header, reason] of cases) {
      const error = refused(await call(header));
      assert.deepEqual([error.status, error.error, error.debug], [400, 'invalid_request', reason], String(header).slice(0, 40));
      // The challenge names the scheme the request used (Token for 'Token').
      const scheme = typeof header === 'string' && header.startsWith('Token') ? 'Token' : 'Bearer';
      assert.match(error.wwwAuthenticate!, new RegExp(`^${scheme} error="invalid_request", error_description="[^"]*"$`));
    }
  });

  it('refuses locally, as invalid_token, tokens no Tessera could have issued', async () => {
    const body = `${TOKEN_PREFIXES.personal_access_token}${'a'.repeat(43)}`;
    const good = body + tokenChecksum(body);
    const refresh = `${TOKEN_PREFIXES.refresh_token}${'b'.repeat(43)}`;
    const cases: [string, string][] = [
      ['Bearer not-a-token', 'malformed_token'],
      ['Bearer a.b', 'malformed_token'],
      ['Bearer a.b.c.d.e', 'malformed_token'],
      ['Bearer tsr_zz_abc', 'bad_prefix'],
      [`Bearer ${good.slice(0, -1)}`, 'bad_length'],
      [`Bearer ${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`, 'bad_checksum'],
      [`Bearer ${refresh}${tokenChecksum(refresh)}`, 'wrong_token_kind'],
      ['Token 9944B09199C62BCF9418AD846DD0E4BBDFC6EE4B', 'malformed_token'],
      ['Token 9944b09199c62bcf', 'malformed_token'],
      ['ActionToken tsr_at_abc', 'malformed_token'],
    ];
    for (const [header, reason] of cases) {
      const error = refused(await call(header));
      assert.deepEqual([error.status, error.error, error.debug], [401, 'invalid_token', reason], header);
    }
  });

  it('reads scheme names case-insensitively', async () => {
    for (const header of ['bearer tsr_zz_abc', 'BEARER tsr_zz_abc', 'BeArEr   tsr_zz_abc']) {
      assert.equal(refused(await call(header)).debug, 'bad_prefix', header);
    }
    assert.equal(refused(await make().authenticate({ method: 'GET', url: '/', headers: { Authorization: 'Bearer tsr_zz_abc' } })).debug, 'bad_prefix');
  });

  it('keeps descriptions generic unless debug is on', async () => {
    const quiet = refused(await call('Bearer tsr_zz_abc'));
    assert.equal(quiet.description, 'The access token is invalid');
    assert.equal(quiet.wwwAuthenticate, 'Bearer error="invalid_token", error_description="The access token is invalid"');
    const loud = refused(await call('Bearer tsr_zz_abc', { debug: true, realm: 'api' }));
    assert.equal(loud.description, 'the token prefix is unknown (bad_prefix)');
    assert.equal(loud.wwwAuthenticate, 'Bearer realm="api", error="invalid_token", error_description="the token prefix is unknown (bad_prefix)"');
  });

  it('refuses opaque tokens when no introspection client is configured', async () => {
    const body = `${TOKEN_PREFIXES.access_token}${'c'.repeat(43)}`;
    const authenticator = createAuthenticator({ issuer: 'https://auth.example.test', audience: 'https://api.example.test', fetch: noNetwork });
    for (const header of [`Bearer ${body}${tokenChecksum(body)}`, `Token ${'a'.repeat(40)}`]) {
      const error = refused(await authenticator.authenticate({ method: 'GET', url: '/', headers: { authorization: header } }));
      assert.equal(error.debug, 'unsupported_token');
    }
  });

  it('renders one JSON body, no-store, and the challenge', () => {
    const error = refused(make().authorize(undefined, []));
    assert.deepEqual(renderAuthError(error), {
      status: 401,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store', 'www-authenticate': 'Bearer' },
      body: JSON.stringify({ error_description: 'Authentication is required' }),
    });
  });
});
