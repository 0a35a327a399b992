import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../core/errors.js';
import { resolveSettings } from './settings.js';

const resolve = (env: NodeJS.ProcessEnv, server?: Parameters<typeof resolveSettings>[0]['server']) => resolveSettings({ flags: {}, env, ...(server ? { server } : {}) });

describe('scale-out settings', () => {
  it('trusts no proxy, caches for 1 s and uses the pool defaults unless told', () => {
    const settings = resolve({});
    assert.equal(settings.trustProxy, undefined);
    assert.equal(settings.cacheTtlSeconds, 1);
    assert.deepEqual(settings.database, { poolSize: 10, connectTimeoutMs: 5000, statementTimeoutMs: 10_000, idleTimeoutMs: 30_000 });
    assert.equal(settings.redisUrl, undefined);
  });
  it('reads the environment before the server section', () => {
    const settings = resolve(
      { TESSERA_TRUST_PROXY: '10.0.0.0/8, loopback', TESSERA_CACHE_TTL: '30', TESSERA_DB_POOL_SIZE: '4', TESSERA_DB_CONNECT_TIMEOUT: '1.5', TESSERA_DATABASE_SCHEMA: 'auth', REDIS_URL: 'redis://cache:6379' },
      { trustProxy: 2, cacheTtl: 5, database: { poolSize: 20, statementTimeout: 3, idleTimeout: 60 } },
    );
    assert.deepEqual(settings.trustProxy, ['10.0.0.0/8', 'loopback']);
    assert.equal(settings.cacheTtlSeconds, 30);
    assert.deepEqual(settings.database, { poolSize: 4, connectTimeoutMs: 1500, statementTimeoutMs: 3000, idleTimeoutMs: 60_000, schema: 'auth' });
    assert.equal(settings.redisUrl, 'redis://cache:6379');
    assert.equal(resolve({ TESSERA_TRUST_PROXY: '1' }).trustProxy, 1);
  });
  it('refuses what it cannot use, at start, naming the setting', () => {
    assert.throws(() => resolve({ TESSERA_TRUST_PROXY: 'proxy.internal' }), (e: Error) => e instanceof ConfigError && /not an IP address/.test(e.message));
    assert.throws(() => resolve({ TESSERA_DB_POOL_SIZE: '0' }), /TESSERA_DB_POOL_SIZE/);
    assert.throws(() => resolve({ TESSERA_DATABASE_SCHEMA: 'Auth-Schema' }), /TESSERA_DATABASE_SCHEMA/);
    assert.throws(() => resolve({ REDIS_URL: 'http://cache' }), /REDIS_URL/);
  });
});

describe('protocol settings', () => {
  it('defaults to a 10 s refresh grace and one-hour client assertions to the issuer or an endpoint', () => {
    const settings = resolve({});
    assert.equal(settings.refreshTokenReuseGrace, 10);
    assert.deepEqual(settings.clientAssertions, { maxLifetime: 3600, audience: 'issuer-or-endpoint' });
  });
  it('takes them from the environment before the server section, 0 grace included', () => {
    const server = { refreshTokenReuseGrace: 30, clientAssertionMaxLifetime: 300, clientAssertionAudience: 'issuer' as const };
    assert.deepEqual([resolve({}, server).refreshTokenReuseGrace, resolve({}, server).clientAssertions], [30, { maxLifetime: 300, audience: 'issuer' }]);
    const env = { TESSERA_REFRESH_TOKEN_REUSE_GRACE: '0', TESSERA_CLIENT_ASSERTION_MAX_LIFETIME: '600', TESSERA_CLIENT_ASSERTION_AUDIENCE: 'issuer-or-endpoint' };
    assert.deepEqual([resolve(env, server).refreshTokenReuseGrace, resolve(env, server).clientAssertions], [0, { maxLifetime: 600, audience: 'issuer-or-endpoint' }]);
    assert.throws(() => resolve({ TESSERA_REFRESH_TOKEN_REUSE_GRACE: '-1' }), /TESSERA_REFRESH_TOKEN_REUSE_GRACE/);
    assert.throws(() => resolve({ TESSERA_CLIENT_ASSERTION_AUDIENCE: 'any' }), /TESSERA_CLIENT_ASSERTION_AUDIENCE/);
  });
  it('gives device codes ten minutes and a 5 s interval, unless told otherwise', () => {
    assert.deepEqual(resolve({}).deviceFlow, { codeTtl: 600, interval: 5 });
    assert.deepEqual(resolve({}, { deviceCodeTtl: 900, devicePollInterval: 10 }).deviceFlow, { codeTtl: 900, interval: 10 });
    assert.deepEqual(resolve({ TESSERA_DEVICE_CODE_TTL: '300' }, { deviceCodeTtl: 900 }).deviceFlow, { codeTtl: 300, interval: 5 });
    assert.throws(() => resolve({ TESSERA_DEVICE_POLL_INTERVAL: '0' }), /TESSERA_DEVICE_POLL_INTERVAL/);
  });
});

describe('client ID metadata document settings', () => {
  it('are absent unless enabled, and resolve with safe defaults', async () => {
    const { serverSchema } = await import('../core/config/schema.js');
    assert.equal(resolve({}, serverSchema.parse({ clientIdMetadataDocuments: { allowPrivateAddresses: true } })).clientIdMetadataDocuments, undefined);
    const settings = resolve({}, serverSchema.parse({ clientIdMetadataDocuments: { enabled: true } }));
    assert.deepEqual(settings.clientIdMetadataDocuments, { allowPrivateAddresses: false, maxBytes: 5120, timeoutMs: 5000, cache: { minSeconds: 60, maxSeconds: 86_400 } });
    const custom = resolve({}, serverSchema.parse({ clientIdMetadataDocuments: { enabled: true, caFile: 'ca.pem', timeout: 2, permissions: { 'https://api.test': ['read'] } } }));
    assert.match(custom.clientIdMetadataDocuments?.caFile ?? '', /\/ca\.pem$/);
    assert.equal(custom.clientIdMetadataDocuments?.timeoutMs, 2000);
    assert.deepEqual(custom.clientIdMetadataDocuments?.permissions, { 'https://api.test': ['read'] });
    assert.throws(() => resolve({}, serverSchema.parse({ clientIdMetadataDocuments: { enabled: true, cacheMinSeconds: 600, cacheMaxSeconds: 60 } })), /cacheMinSeconds/);
  });
});

describe('back-channel logout settings', () => {
  it('are on by default with public https targets only, and can be turned off or opened for tests', async () => {
    const { serverSchema } = await import('../core/config/schema.js');
    assert.deepEqual(resolve({}).backchannelLogout, { allowPrivateAddresses: false, timeoutMs: 5000, retries: 3 });
    assert.equal(resolve({}, serverSchema.parse({ backchannelLogout: { enabled: false } })).backchannelLogout, undefined);
    assert.deepEqual(resolve({}, serverSchema.parse({ backchannelLogout: { allowPrivateAddresses: true, timeout: 1.5, retries: 0 } })).backchannelLogout, {
      allowPrivateAddresses: true,
      timeoutMs: 1500,
      retries: 0,
    });
  });
});
