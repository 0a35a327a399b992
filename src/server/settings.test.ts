import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../core/errors.js';
import { resolveSettings } from './settings.js';

const resolve = (env: NodeJS.ProcessEnv, server?: Parameters<typeof resolveSettings>[0]['server']) =>
  resolveSettings({ flags: {}, env, ...(server ? { server } : {}) });

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
      {
        TESSERA_TRUST_PROXY: '10.0.0.0/8, loopback',
        TESSERA_CACHE_TTL: '30',
        TESSERA_DB_POOL_SIZE: '4',
        TESSERA_DB_CONNECT_TIMEOUT: '1.5',
        TESSERA_DATABASE_SCHEMA: 'auth',
        REDIS_URL: 'redis://cache:6379',
      },
      { trustProxy: 2, cacheTtl: 5, database: { poolSize: 20, statementTimeout: 3, idleTimeout: 60 } },
    );
    assert.deepEqual(settings.trustProxy, ['10.0.0.0/8', 'loopback']);
    assert.equal(settings.cacheTtlSeconds, 30);
    assert.deepEqual(settings.database, { poolSize: 4, connectTimeoutMs: 1500, statementTimeoutMs: 3000, idleTimeoutMs: 60_000, schema: 'auth' });
    assert.equal(settings.redisUrl, 'redis://cache:6379');
    assert.equal(resolve({ TESSERA_TRUST_PROXY: '1' }).trustProxy, 1);
  });
  it('refuses what it cannot use, at start, naming the setting', () => {
    assert.throws(
      () => resolve({ TESSERA_TRUST_PROXY: 'proxy.internal' }),
      (e: Error) => e instanceof ConfigError && /not an IP address/.test(e.message),
    );
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
    const env = {
      TESSERA_REFRESH_TOKEN_REUSE_GRACE: '0',
      TESSERA_CLIENT_ASSERTION_MAX_LIFETIME: '600',
      TESSERA_CLIENT_ASSERTION_AUDIENCE: 'issuer-or-endpoint',
    };
    assert.deepEqual(
      [resolve(env, server).refreshTokenReuseGrace, resolve(env, server).clientAssertions],
      [0, { maxLifetime: 600, audience: 'issuer-or-endpoint' }],
    );
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
    assert.deepEqual(settings.clientIdMetadataDocuments, {
      allowPrivateAddresses: false,
      maxBytes: 5120,
      timeoutMs: 5000,
      cache: { minSeconds: 60, maxSeconds: 86_400 },
    });
    const custom = resolve(
      {},
      serverSchema.parse({ clientIdMetadataDocuments: { enabled: true, caFile: 'ca.pem', timeout: 2, permissions: { 'https://api.test': ['read'] } } }),
    );
    assert.match(custom.clientIdMetadataDocuments?.caFile ?? '', /\/ca\.pem$/);
    assert.equal(custom.clientIdMetadataDocuments?.timeoutMs, 2000);
    assert.deepEqual(custom.clientIdMetadataDocuments?.permissions, { 'https://api.test': ['read'] });
    assert.throws(
      () => resolve({}, serverSchema.parse({ clientIdMetadataDocuments: { enabled: true, cacheMinSeconds: 600, cacheMaxSeconds: 60 } })),
      /cacheMinSeconds/,
    );
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

describe('settings declared once', () => {
  it('takes a flag over the environment over the config file over the default', () => {
    const from = (flags: Parameters<typeof resolveSettings>[0]['flags'], env: NodeJS.ProcessEnv, server?: { port?: number; host?: string }) =>
      resolveSettings({ flags, env, ...(server ? { server } : {}) });
    assert.equal(from({ port: 1 }, { TESSERA_PORT: '2' }, { port: 3 }).port, 1);
    assert.equal(from({}, { TESSERA_PORT: '2' }, { port: 3 }).port, 2);
    assert.equal(from({}, {}, { port: 3 }).port, 3);
    assert.equal(from({}, {}).port, 9000);
    assert.equal(from({}, { TESSERA_HOST: '' }, { host: '0.0.0.0' }).host, '0.0.0.0', 'an empty variable is unset');
  });
  it('reads the new names, and the old ones with a warning, the new name winning', () => {
    const renamed = resolve({ TESSERA_DATABASE_POOL_SIZE: '4', TESSERA_DATABASE_URL: 'postgres://db/t', TESSERA_REDIS_URL: 'redis://cache' });
    assert.equal(renamed.database.poolSize, 4);
    assert.equal(renamed.databaseUrl, 'postgres://db/t');
    assert.equal(renamed.redisUrl, 'redis://cache');
    assert.equal(renamed.warnings, undefined);
    const old = resolve({ DATABASE_URL: 'postgres://db/t', TESSERA_DB_STATEMENT_TIMEOUT: '0', REDIS_URL: 'redis://cache' });
    assert.equal(old.databaseUrl, 'postgres://db/t');
    assert.equal(old.database.statementTimeoutMs, 0);
    assert.deepEqual(old.warnings, [
      'TESSERA_DB_STATEMENT_TIMEOUT is deprecated: rename it TESSERA_DATABASE_STATEMENT_TIMEOUT',
      'REDIS_URL is deprecated: rename it TESSERA_REDIS_URL',
      'DATABASE_URL is deprecated: rename it TESSERA_DATABASE_URL',
    ]);
    const both = resolve({ TESSERA_DATABASE_POOL_SIZE: '4', TESSERA_DB_POOL_SIZE: '8' });
    assert.equal(both.database.poolSize, 4);
    assert.deepEqual(both.warnings, ['TESSERA_DB_POOL_SIZE is ignored: TESSERA_DATABASE_POOL_SIZE is set (TESSERA_DB_POOL_SIZE is its deprecated name)']);
  });
  it('names the source and what it accepts in an error, without repeating a secret', () => {
    const message = (env: NodeJS.ProcessEnv, flags = {}) => {
      try {
        resolveSettings({ flags, env });
      } catch (error) {
        assert.ok(error instanceof ConfigError);
        return error.message;
      }
      assert.fail('accepted');
    };
    assert.equal(message({ TESSERA_CACHE_TTL: 'soon' }), 'TESSERA_CACHE_TTL must be a number of seconds from 0.1 to 3600, got soon');
    assert.equal(message({ TESSERA_PORT: '0x10' }), 'TESSERA_PORT must be a whole number from 0 to 65535, got 0x10');
    assert.equal(message({ TESSERA_AUDIT_RETENTION_DAYS: '0' }), 'TESSERA_AUDIT_RETENTION_DAYS must be a whole number of days, at least 1, got 0');
    assert.equal(message({ TESSERA_MFA_REQUIRED: 'some' }), 'TESSERA_MFA_REQUIRED must be none, admins or everyone, got some');
    assert.equal(message({ TESSERA_DPOP_NONCE: 'maybe' }), 'TESSERA_DPOP_NONCE must be true or false, got maybe');
    assert.equal(message({}, { workers: 'many' }), '--workers must be a whole number from 1 to 256 or "auto", got many');
    assert.equal(message({ TESSERA_ISSUER: 'auth.example.com' }), 'TESSERA_ISSUER must be an absolute URL, got auth.example.com');
    assert.equal(message({ REDIS_URL: 'http://user:hunter2@cache' }), 'REDIS_URL must be a redis:// or rediss:// URL');
    assert.equal(message({ TESSERA_DATABASE_URL: 'mysql://root:hunter2@db' }), 'TESSERA_DATABASE_URL must be a postgres:// or postgresql:// URL');
  });
  it('reads booleans and lists from their text', () => {
    assert.equal(resolve({ TESSERA_DPOP_NONCE: 'true' }).dpop.nonce, true);
    assert.equal(resolve({ TESSERA_DPOP_NONCE: 'off' }, { dpopNonce: true }).dpop.nonce, false);
    assert.equal(resolve({ TESSERA_WORKERS: '3' }).workers, 3);
  });
  it('takes the workers flag, then the environment, then the config file, and refuses anything else', () => {
    const workers = (flags: { workers?: string }, env: NodeJS.ProcessEnv, server?: { workers?: number | 'auto' }) =>
      resolveSettings({ flags, env, ...(server ? { server } : {}) }).workers;
    assert.equal(workers({ workers: '3' }, { TESSERA_WORKERS: '2' }, { workers: 4 }), 3);
    assert.equal(workers({}, { TESSERA_WORKERS: '2' }, { workers: 4 }), 2);
    assert.equal(workers({}, {}, { workers: 4 }), 4);
    assert.ok(workers({ workers: 'auto' }, {}) >= 1);
    assert.throws(
      () => workers({ workers: '0' }, {}),
      (e: unknown) => e instanceof ConfigError && /^--workers must be a whole number from 1 to 256 or "auto", got 0$/.test(e.message),
    );
    assert.throws(() => workers({}, { TESSERA_WORKERS: 'many' }), /TESSERA_WORKERS must be/);
    assert.throws(() => workers({ workers: '1.5' }, {}), /--workers/);
    assert.equal(resolve({ TESSERA_DATABASE_IDLE_TIMEOUT: '5' }).database.idleTimeoutMs, 5000);
  });
});
