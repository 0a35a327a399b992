/**
 * What each supported JWS algorithm means for node:crypto: how to generate a key,
 * which digest to sign with, and how the signature is encoded. node:crypto signs
 * synchronously and several times faster than the async WebCrypto path.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { SigningAlg } from '../model.js';

interface AlgorithmSpec {
  generate(): { privateKey: KeyObject; publicKey: KeyObject };
  /** Digest name for crypto.sign, or null where the algorithm hashes internally (Ed25519). */
  digest: string | null;
  /** ECDSA signatures in JWS are the raw r|s concatenation, not DER. */
  dsaEncoding?: 'ieee-p1363';
}

export const ALGORITHMS: Record<SigningAlg, AlgorithmSpec> = {
  ES256: {
    generate: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    digest: 'sha256',
    dsaEncoding: 'ieee-p1363',
  },
  RS256: {
    generate: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
    digest: 'sha256',
  },
  EdDSA: {
    generate: () => generateKeyPairSync('ed25519'),
    digest: null,
  },
};
