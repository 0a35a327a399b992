/**
 * Verifies a JWT that this server signed (access tokens, ID tokens used as hints),
 * against the published keys, on node:crypto. Returns the claims, or undefined for
 * anything that is not ours, is malformed or does not verify. Expiry is the caller's
 * business: an expired ID token is still a valid id_token_hint.
 */
import { createPublicKey, verify as cryptoVerify, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { SigningAlg } from '../model.js';
import { ALGORITHMS } from './algorithms.js';
import type { KeyRing } from './key-ring.js';

const MAX_JWT_LENGTH = 8192;

export class OwnJwtVerifier {
  readonly #keys: KeyRing;
  readonly #publicKeys = new Map<string, KeyObject>();

  constructor(keys: KeyRing) {
    this.#keys = keys;
  }

  verify(token: string, typ: string): Record<string, unknown> | undefined {
    const parts = token.split('.');
    if (parts.length !== 3 || token.length > MAX_JWT_LENGTH) return undefined;
    try {
      const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
      if (header.typ !== typ || typeof header.kid !== 'string') return undefined;
      const jwk = this.#keys.jwks().keys.find((k) => k.kid === header.kid);
      if (!jwk || jwk.alg !== header.alg) return undefined;
      const spec = ALGORITHMS[jwk.alg as SigningAlg];
      const key = this.#publicKey(jwk.kid, jwk);
      const valid = cryptoVerify(
        spec.digest,
        Buffer.from(`${parts[0]}.${parts[1]}`, 'utf8'),
        spec.dsaEncoding ? { key, dsaEncoding: spec.dsaEncoding } : key,
        Buffer.from(parts[2]!, 'base64url'),
      );
      if (!valid) return undefined;
      const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
      return claims !== null && typeof claims === 'object' && !Array.isArray(claims) ? (claims as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  #publicKey(kid: string, jwk: Record<string, unknown>): KeyObject {
    let key = this.#publicKeys.get(kid);
    if (!key) {
      key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
      this.#publicKeys.set(kid, key);
    }
    return key;
  }
}
