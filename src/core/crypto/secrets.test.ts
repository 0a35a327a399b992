import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { decryptKey, encryptKey } from './key-encryption.js';
import { deriveKeys, parseMasterKey } from './master-key.js';
import { hashPassword, verifyPassword } from './password.js';
import { SecretHasher } from './secret-hasher.js';

describe('secrets at rest', () => {
  it('hash secrets with a key: same key same hash, other key other hash', () => {
    const a = new SecretHasher(randomBytes(32));
    const b = new SecretHasher(randomBytes(32));
    const hash = a.hash('s3cret-value');
    assert.notEqual(hash, 's3cret-value');
    assert.equal(a.hash('s3cret-value'), hash);
    assert.notEqual(b.hash('s3cret-value'), hash);
    assert.equal(a.matches('s3cret-value', hash), true);
    assert.equal(a.matches('s3cret-valuf', hash), false);
    assert.equal(a.matches('s3cret-value', 'short'), false);
  });

  it('derive distinct keys from one master key, and parse hex or base64url', () => {
    const master = randomBytes(32);
    const keys = deriveKeys(master);
    assert.notDeepEqual(keys.keyEncryptionKey, keys.secretHashKey);
    assert.deepEqual(parseMasterKey(master.toString('hex')), master);
    assert.deepEqual(parseMasterKey(master.toString('base64url')), master);
    assert.throws(() => parseMasterKey('too-short'), /32 bytes/);
  });

  it('encrypt signing keys bound to their kid', () => {
    const kek = randomBytes(32);
    const wrapped = encryptKey(kek, Buffer.from('private key bytes'), 'kid-1');
    assert.equal(decryptKey(kek, wrapped, 'kid-1').toString(), 'private key bytes');
    assert.throws(() => decryptKey(kek, wrapped, 'kid-2'), /master key differs/);
    assert.throws(() => decryptKey(randomBytes(32), wrapped, 'kid-1'), /master key differs/);
  });

  it('hash passwords with scrypt and verify them', async () => {
    const hash = await hashPassword('correct horse battery');
    assert.match(hash, /^scrypt\$N=32768,r=8,p=1\$/);
    assert.equal(await verifyPassword('correct horse battery', hash), true);
    assert.equal(await verifyPassword('wrong', hash), false);
    assert.equal(await verifyPassword('x', 'garbage'), false);
  });
});
