import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { accessTokenHash, DpopProofVerifier } from './proof.js';
import { MemoryReplayCache } from './memory-replay-cache.js';
import { OAuthError } from '../errors.js';

const NOW = 1_800_000_000;
const URL_ = 'https://as.example/token';

async function keyPair(alg = 'ES256') {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, jwk: await exportJWK(publicKey), alg };
}

async function proof(key: { privateKey: CryptoKey; jwk: JWK; alg: string }, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) {
  return new SignJWT({ htm: 'POST', htu: URL_, iat: NOW, jti: crypto.randomUUID(), ...claims })
    .setProtectedHeader({ alg: key.alg, typ: 'dpop+jwt', jwk: key.jwk, ...header })
    .sign(key.privateKey);
}

async function refused(promise: Promise<unknown>, error: string, pattern: RegExp) {
  await assert.rejects(promise, (e: unknown) => e instanceof OAuthError && e.error === error && pattern.test(e.description));
}

describe('DPoP proofs', () => {
  const check = { method: 'POST', url: URL_, now: NOW };

  it('accepts a fresh proof and answers its key thumbprint; once only', async () => {
    const key = await keyPair();
    const verifier = new DpopProofVerifier(new MemoryReplayCache());
    const p = await proof(key);
    const verified = await verifier.verify(p, { ...check, url: `${URL_}?x=1#y` });
    assert.equal(verified.jkt, await calculateJwkThumbprint(key.jwk));
    await refused(verifier.verify(p, check), 'invalid_dpop_proof', /already been used/);
  });

  it('accepts EdDSA and RSA-PSS keys', async () => {
    const verifier = new DpopProofVerifier(new MemoryReplayCache());
    for (const alg of ['EdDSA', 'PS256']) await verifier.verify(await proof(await keyPair(alg)), check);
  });

  it('refuses wrong typ, symmetric alg, private jwk, wrong htm/htu, stale or future iat, bad ath', async () => {
    const key = await keyPair();
    const verifier = new DpopProofVerifier(new MemoryReplayCache(), { iatWindow: 60, clockSkew: 5 });
    await refused(verifier.verify(await proof(key, {}, { typ: 'JWT' }), check), 'invalid_dpop_proof', /typ/);
    const secret = new Uint8Array(32);
    const hs = await new SignJWT({ htm: 'POST', htu: URL_, iat: NOW, jti: 'abcdefghij' })
      .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: key.jwk })
      .sign(secret);
    await refused(verifier.verify(hs, check), 'invalid_dpop_proof', /alg/);
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const withPrivate = await proof(key, {}, { jwk: await exportJWK(privateKey) });
    await refused(verifier.verify(withPrivate, check), 'invalid_dpop_proof', /private/);
    await refused(verifier.verify(await proof(key, { htm: 'GET' }), check), 'invalid_dpop_proof', /htm/);
    await refused(verifier.verify(await proof(key, { htu: 'https://as.example/other' }), check), 'invalid_dpop_proof', /htu/);
    await refused(verifier.verify(await proof(key, { iat: NOW - 61 }), check), 'invalid_dpop_proof', /too old/);
    await refused(verifier.verify(await proof(key, { iat: NOW + 6 }), check), 'invalid_dpop_proof', /future/);
    await refused(verifier.verify(await proof(key, { ath: 'nope' }), { ...check, accessToken: 'tok' }), 'invalid_dpop_proof', /ath/);
    await verifier.verify(await proof(key, { ath: accessTokenHash('tok') }), { ...check, accessToken: 'tok' });
  });

  it('refuses a proof whose signature is not by the jwk in its header', async () => {
    const key = await keyPair();
    const other = await keyPair();
    const forged = await proof({ ...other, jwk: key.jwk });
    await refused(new DpopProofVerifier(new MemoryReplayCache()).verify(forged, check), 'invalid_dpop_proof', /invalid/);
  });

  it('asks for a nonce when the server wants one', async () => {
    const key = await keyPair();
    const verifier = new DpopProofVerifier(new MemoryReplayCache());
    await refused(verifier.verify(await proof(key), { ...check, nonce: (n) => n === 'good' }), 'use_dpop_nonce', /required/);
    await verifier.verify(await proof(key, { nonce: 'good' }), { ...check, nonce: (n) => n === 'good' });
  });
});
