import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { SqliteStore } from '../../stores/sqlite/sqlite-store.js';
import { SecretHasher } from '../crypto/secret-hasher.js';
import { checkTokenString, mintTokenString, TOKEN_PREFIXES } from '../crypto/token-string.js';
import type { StoredToken } from '../model.js';
import { findStoredToken, mintReferenceAccessToken, storedTokenKey } from './stored-token-key.js';

const hasher = new SecretHasher(randomBytes(32));

function row(hash: string, jti: string): StoredToken {
  return { hash, kind: 'access_token', jti, clientId: 'c', subject: 'c', audience: 'https://api.test', scope: 'read', issuedAt: 1, expiresAt: 2 };
}

describe('stored token keys', () => {
  it('mint reference access tokens in the usual format, their keys in the order they were minted', () => {
    const start = Date.UTC(2026, 11, 6);
    const tokens = Array.from({ length: 400 }, (_, i) => mintReferenceAccessToken(start + i * 3));
    const keys = tokens.map((token) => storedTokenKey(hasher, token));
    for (const token of tokens) {
      assert.match(token, /^tsr_at_[0-9A-Za-z]{49}$/);
      assert.equal(checkTokenString(token), TOKEN_PREFIXES.access_token);
    }
    for (const key of keys) {
      assert.match(key, /^[0-9a-f]{12}[A-Za-z0-9_-]{43}$/);
      assert.ok(key.endsWith(hasher.hash(tokens[keys.indexOf(key)]!)), 'the keyed hash follows the time part');
    }
    assert.deepEqual([...keys].sort(), keys, 'byte order is minting order');
    assert.equal(new Set(tokens.map((t) => t.slice(15))).size, tokens.length, 'the rest of the payload is random');
  });

  it('keep the bare keyed hash for every other kind', () => {
    const pat = mintTokenString(TOKEN_PREFIXES.personal_access_token);
    assert.equal(storedTokenKey(hasher, pat), hasher.hash(pat));
  });

  it('find a token under its time-ordered key, one stored before those keys under its bare hash, and nothing else', async () => {
    const store = new SqliteStore(':memory:');
    await store.migrate();
    const fresh = mintReferenceAccessToken();
    const older = mintTokenString(TOKEN_PREFIXES.access_token); // stored the way access tokens were before
    const pat = mintTokenString(TOKEN_PREFIXES.personal_access_token);
    await store.insertToken(row(storedTokenKey(hasher, fresh), 'fresh'));
    await store.insertToken(row(hasher.hash(older), 'older'));
    await store.insertToken({ ...row(storedTokenKey(hasher, pat), 'pat'), kind: 'personal_access_token' });
    assert.equal((await findStoredToken(store, hasher, fresh))?.jti, 'fresh');
    assert.equal((await findStoredToken(store, hasher, older))?.jti, 'older');
    assert.equal((await findStoredToken(store, hasher, pat))?.jti, 'pat');
    assert.equal(await findStoredToken(store, hasher, mintReferenceAccessToken()), undefined);
    assert.equal(await findStoredToken(store, new SecretHasher(randomBytes(32)), fresh), undefined, 'another hashing key finds nothing');
    await store.close();
  });
});
