/** Options are checked once, at creation: a mistake is a TypeError naming the fix. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAuthenticator, requirePermissions, requireScopes, type AuthenticatorOptions } from '../../packages/resource-server/src/index.js';

const base: AuthenticatorOptions = { issuer: 'https://auth.example.test', audience: 'https://api.example.test' };

describe('resource-server: options', () => {
  it('accepts the minimum and the full set', () => {
    createAuthenticator(base);
    createAuthenticator({
      ...base,
      algorithms: ['ES256', 'PS256'],
      clockTolerance: 0,
      introspection: { clientId: 'api', clientSecret: 'secret', cacheSeconds: 0 },
      jwks: { cooldownSeconds: 10, maxAgeSeconds: 60 },
      jwksUri: 'https://auth.example.test/jwks',
      introspectionEndpoint: 'https://auth.example.test/introspect',
      cacheSize: 0,
      maxHeaderLength: 4096,
      timeoutMs: 1000,
      debug: true,
      realm: 'organizer',
      usageReporting: { enabled: true, flushIntervalMs: 500, maxBatch: 50, maxQueue: 1000, endpoint: 'https://auth.example.test/audit/api-calls' },
      clock: { now: () => 0 },
      fetch: (url, init) => fetch(url, init),
    });
  });

  it('throws a TypeError on a bad option', () => {
    const bad: [string, unknown][] = [
      ['missing issuer', { audience: base.audience }],
      ['relative issuer', { ...base, issuer: '/auth' }],
      ['non-http issuer', { ...base, issuer: 'ftp://auth.example.test' }],
      ['missing audience', { issuer: base.issuer }],
      ['empty audience', { ...base, audience: '' }],
      ['empty algorithms', { ...base, algorithms: [] }],
      ['alg none', { ...base, algorithms: ['none'] }],
      ['symmetric alg', { ...base, algorithms: ['ES256', 'HS256'] }],
      ['negative tolerance', { ...base, clockTolerance: -1 }],
      ['huge tolerance', { ...base, clockTolerance: 3600 }],
      ['introspection without secret', { ...base, introspection: { clientId: 'api' } }],
      ['negative cache', { ...base, introspection: { clientId: 'api', clientSecret: 's', cacheSeconds: -1 } }],
      ['typo', { ...base, audiences: ['x'] }],
      ['clock without now', { ...base, clock: {} }],
      ['realm with a quote', { ...base, realm: 'a"b' }],
      ['debug as a string', { ...base, debug: 'yes' }],
      ['usage reporting without an introspection client', { ...base, usageReporting: { enabled: true } }],
      ['usage reporting batch above 100', { ...base, introspection: { clientId: 'api', clientSecret: 's' }, usageReporting: { maxBatch: 101 } }],
    ];
    for (const [name, options] of bad) assert.throws(() => createAuthenticator(options as AuthenticatorOptions), TypeError, name);
    assert.throws(() => createAuthenticator(undefined as unknown as AuthenticatorOptions), TypeError);
  });

  it('guards refuse empty or invalid scope names at setup', () => {
    assert.throws(() => requireScopes(), TypeError);
    assert.throws(() => requireScopes('read calendars'), TypeError);
    assert.throws(() => requireScopes('a"b'), TypeError);
    assert.throws(() => requirePermissions(), TypeError);
    requireScopes('read:calendars', 'write:calendars');
  });
});
