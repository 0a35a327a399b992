import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { SqliteStore } from '../../stores/sqlite/sqlite-store.js';
import { FrozenClock } from '../clock.js';
import { UsageRecorder } from '../credentials/usage-recorder.js';
import { SecretHasher } from '../crypto/secret-hasher.js';
import { mintTokenString, TOKEN_PREFIXES } from '../crypto/token-string.js';
import { KeyRing } from '../keys/key-ring.js';
import { OwnJwtVerifier } from '../keys/verify-own-jwt.js';
import type { Store } from '../ports/storage.js';
import { TokenInspector } from './token-inspector.js';

/** A store that counts token lookups, to prove which inputs never reach it. */
async function countingStore(): Promise<{ store: Store; lookups: () => number }> {
  const real = new SqliteStore(':memory:');
  await real.migrate();
  let count = 0;
  const store = new Proxy(real, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'findTokenByHash') count += 1;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store, lookups: () => count };
}

describe('TokenInspector', () => {
  it('refuses malformed and mistyped opaque tokens without a storage lookup', async () => {
    const { store, lookups } = await countingStore();
    const clock = new FrozenClock();
    const keys = new KeyRing({ repo: store, keyEncryptionKey: randomBytes(32), clock, retentionSeconds: async () => 60 });
    await keys.ensure(['ES256']);
    const inspector = new TokenInspector({
      issuer: 'https://issuer.test',
      jwts: new OwnJwtVerifier(keys),
      store,
      hasher: new SecretHasher(randomBytes(32)),
      clock,
      usage: new UsageRecorder(store, 0),
    });
    const pat = mintTokenString(TOKEN_PREFIXES.personal_access_token);
    const before = lookups();
    for (const token of [
      `${pat.slice(0, -1)}${pat.endsWith('0') ? '1' : '0'}`, // bad checksum
      pat.replace('tsr_pat_', 'tsr_xyz_'), // unknown prefix
      pat.slice(0, -2), // truncated
      'tsr_pat_', // empty
      'a'.repeat(39), // almost a hex key
      'A'.repeat(40), // upper-case hex is not a key
    ]) {
      assert.equal(await inspector.inspect(token), undefined, token);
    }
    assert.equal(lookups(), before, 'no lookup for any of them');
    assert.equal(await inspector.inspect(pat), undefined);
    assert.equal(lookups(), before + 1, 'a well-formed unknown token is looked up once');
  });
});
