import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { secretId } from './present.js';

describe('secretId', () => {
  it('names a secret by 12 hex characters of its hash, never something a CLI reads as a flag', () => {
    // A base64url hash starts with "-" once in 64; the id must not.
    const hashes = Array.from({ length: 256 }, () => randomBytes(32).toString('base64url'));
    hashes.push(Buffer.from([0xfb, 0xef, 0xbe, 1, 2, 3, 4]).toString('base64url'));
    for (const hash of hashes) assert.match(secretId(hash), /^[0-9a-f]{12}$/);
    assert.equal(secretId(hashes.at(-1)!), 'fbefbe010203');
    assert.equal(new Set(hashes.map(secretId)).size, hashes.length);
  });
});
