/**
 * Scale-out of DPoP's replay check: two instances, each with its own Redis connection
 * and proof verifier, share one replay cache; a proof used at one is refused at the
 * other. Without Redis, the store's markers do the same (PostgreSQL for every instance).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { DpopProofVerifier } from '../../src/core/dpop/proof.js';
import { MemoryReplayCache } from '../../src/core/dpop/memory-replay-cache.js';
import { OAuthError } from '../../src/core/errors.js';
import { connectRedis } from '../../src/redis/redis-connection.js';
import { dropSchema, PostgresStore } from '../../src/stores/postgres/postgres-store.js';
import { RedisReplayCache } from '../../src/redis/redis-replay-cache.js';

const url = process.env.TESSERA_TEST_REDIS_URL;
const db = process.env.TESSERA_TEST_DATABASE_URL;

async function proofFor(htu: string): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return new SignJWT({ htm: 'POST', htu, iat: Math.floor(Date.now() / 1000), jti: randomBytes(16).toString('hex') })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(publicKey) })
    .sign(privateKey);
}

describe('DPoP replay cache in Redis', { skip: url ? false : 'TESSERA_TEST_REDIS_URL is not set' }, () => {
  it('refuses at a second instance a proof the first accepted', async () => {
    const prefix = `tessera-test:${randomBytes(6).toString('hex')}:`;
    const connections = [connectRedis(url!), connectRedis(url!)];
    const [a, b] = connections.map((redis) => new DpopProofVerifier(new RedisReplayCache({ redis, prefix, fallback: new MemoryReplayCache() }))) as [
      DpopProofVerifier,
      DpopProofVerifier,
    ];
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const now = Math.floor(Date.now() / 1000);
    const proof = await new SignJWT({ htm: 'POST', htu: 'https://tessera.example/token', iat: now, jti: randomBytes(16).toString('hex') })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(publicKey) })
      .sign(privateKey);
    const check = { method: 'POST', url: 'https://tessera.example/token', now };
    await a.verify(proof, check);
    await assert.rejects(
      b.verify(proof, check),
      (e: unknown) => e instanceof OAuthError && e.error === 'invalid_dpop_proof' && /already been used/.test(e.description),
    );
    for (const redis of connections) redis.disconnect();
  });
});

describe('DPoP replay cache in the store, without Redis', { skip: db ? false : 'TESSERA_TEST_DATABASE_URL is not set' }, () => {
  it('refuses at a second instance (its own PostgreSQL pool) a proof the first accepted', async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const stores = [new PostgresStore({ connectionString: db!, schema }), new PostgresStore({ connectionString: db!, schema })];
    try {
      await stores[0]!.migrate();
      const [a, b] = stores.map((store) => new DpopProofVerifier(store)) as [DpopProofVerifier, DpopProofVerifier];
      const proof = await proofFor('https://tessera.example/token');
      const check = { method: 'POST', url: 'https://tessera.example/token', now: Math.floor(Date.now() / 1000) };
      await a.verify(proof, check);
      await assert.rejects(
        b.verify(proof, check),
        (e: unknown) => e instanceof OAuthError && e.error === 'invalid_dpop_proof' && /already been used/.test(e.description),
      );
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await dropSchema(db!, schema);
    }
  });
});
