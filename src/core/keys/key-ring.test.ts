import assert from 'node:assert/strict';
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import { SqliteStore } from '../../stores/sqlite/sqlite-store.js';
import { FrozenClock } from '../clock.js';
import { KeyRing } from './key-ring.js';

async function ring(retention = 3600) {
  const store = new SqliteStore(':memory:');
  await store.migrate();
  const clock = new FrozenClock();
  const keys = new KeyRing({ repo: store, keyEncryptionKey: randomBytes(32), clock, retentionSeconds: async () => retention });
  return { store, clock, keys };
}

function verifies(jws: string, jwk: Record<string, unknown>): boolean {
  const [h, p, s] = jws.split('.') as [string, string, string];
  const key = createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
  return verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
}

describe('KeyRing', () => {
  it('creates a current and a next key per algorithm, once', async () => {
    const { keys, store } = await ring();
    assert.equal((await keys.ensure(['ES256', 'RS256'])).length, 4);
    assert.equal((await keys.ensure(['ES256', 'RS256'])).length, 0);
    assert.equal(keys.jwks().keys.length, 4);
    assert.ok(
      keys.jwks().keys.every((k) => !('d' in k)),
      'no private parts are published',
    );
    assert.ok((await store.listKeys()).every((k) => !k.privateKeyEncrypted.includes('PRIVATE')));
  });

  it('signs with the current key, verifiable with the published JWK', async () => {
    const { keys } = await ring();
    await keys.ensure(['ES256']);
    const jws = keys.signer('ES256').sign('at+jwt', { sub: 'x' });
    const header = JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString()) as { kid: string; typ: string };
    assert.equal(header.typ, 'at+jwt');
    const jwk = keys.jwks().keys.find((k) => k.kid === header.kid)!;
    assert.ok(verifies(jws, jwk));
  });

  it('rotates to the already-published next key and keeps the old one until its tokens expire', async () => {
    const { keys, clock, store } = await ring(600);
    await keys.ensure(['ES256']);
    const before = keys.signer('ES256').kid;
    const nextBefore = (await store.listKeys()).find((k) => k.status === 'next')!.kid;
    const [rotated] = await keys.rotate(['ES256']);
    assert.equal(rotated?.current, nextBefore, 'the key that now signs was published before');
    assert.equal(keys.signer('ES256').kid, nextBefore);
    const published = keys.jwks().keys.map((k) => k.kid);
    assert.ok(published.includes(before), 'the retired key is still published');
    assert.ok(published.includes(rotated!.next), 'a new next key is published');

    clock.advance(601);
    await keys.reload();
    assert.ok(!keys.jwks().keys.some((k) => k.kid === before), 'dropped once its tokens have expired');
    await keys.rotate(['ES256']);
    assert.ok(!(await store.listKeys()).some((k) => k.kid === before), 'and deleted at the next rotation');
  });

  it('tolerates another instance creating the same keys first', async () => {
    const { store, clock } = await ring();
    const kek = randomBytes(32);
    const a = new KeyRing({ repo: store, keyEncryptionKey: kek, clock, retentionSeconds: async () => 60 });
    const b = new KeyRing({ repo: store, keyEncryptionKey: kek, clock, retentionSeconds: async () => 60 });
    await Promise.all([a.ensure(['ES256']), b.ensure(['ES256'])]);
    const current = (await store.listKeys()).filter((k) => k.status === 'current');
    assert.equal(current.length, 1);
    assert.equal(a.signer('ES256').kid, b.signer('ES256').kid);
  });
});
