/**
 * engineOptionsFrom is where a server setting becomes engine behaviour, for `tessera
 * start` and for every CLI command that opens the store (cli/open-engine.ts): each
 * setting reaches its engine option, and what is not configured is left out.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Store } from '../core/ports/storage.js';
import { LocalChangeFeed } from '../core/changes/local-change-feed.js';
import { MemoryAttemptCounter } from '../core/interaction/memory-attempt-counter.js';
import { engineOptionsFrom } from './engine-settings.js';
import type { SharedServices } from './open-shared.js';
import { resolveSettings } from './settings.js';

const store = {} as Store;
const masterKey = Buffer.alloc(32);
const shared = (): SharedServices => ({ changes: new LocalChangeFeed(), attempts: new MemoryAttemptCounter(), describe: 'in process' });
const warn = () => {};

describe('engineOptionsFrom', () => {
  it('hands every setting to its engine option', () => {
    const settings = resolveSettings({
      flags: { issuer: 'https://id.example' },
      env: {
        TESSERA_CACHE_TTL: '7',
        TESSERA_REFRESH_TOKEN_REUSE_GRACE: '3',
        TESSERA_CLIENT_ASSERTION_MAX_LIFETIME: '120',
        TESSERA_DEVICE_CODE_TTL: '300',
        TESSERA_DEVICE_POLL_INTERVAL: '9',
        TESSERA_DPOP_IAT_WINDOW: '30',
        TESSERA_DPOP_NONCE: 'true',
        TESSERA_MFA_REQUIRED: 'admins',
      },
      server: { requirePushedAuthorizationRequests: true },
    });
    const services = shared();
    const options = engineOptionsFrom(settings, { store, masterKey, shared: services, warn });
    assert.equal(options.issuer, 'https://id.example');
    assert.equal(options.store, store);
    assert.equal(options.masterKey, masterKey);
    assert.equal(options.cacheTtlSeconds, 7);
    assert.deepEqual(options.refreshTokens, { reuseGrace: 3 });
    assert.equal(options.clientAssertions?.maxLifetime, 120);
    assert.equal(options.pushedRequests?.required, true);
    assert.deepEqual(options.deviceFlow, { codeTtl: 300, interval: 9 });
    assert.deepEqual(options.dpop, { iatWindow: 30, nonce: true });
    assert.deepEqual(options.mfa, { everyone: false, roles: ['tessera-admin'] });
    assert.equal(options.changes, services.changes);
    assert.equal(options.attempts, services.attempts);
    assert.equal(options.audit?.warn, warn);
  });

  it('leaves out what is not configured: mail, metadata documents, passkeys, a replay cache', () => {
    const options = engineOptionsFrom(resolveSettings({ flags: {}, env: {} }), { store, masterKey, shared: shared(), warn });
    assert.equal(options.issuer, undefined, 'the server makes it from the address bound');
    for (const absent of ['mail', 'clientMetadataDocuments', 'webauthn'] as const) assert.equal(absent in options, false, absent);
    assert.equal('replay' in (options.dpop ?? {}), false);
  });
});
