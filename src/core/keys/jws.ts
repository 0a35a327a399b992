/**
 * Compact JWS signing on node:crypto. The protected header of a given key and type
 * never changes, so its encoded form is computed once per (kid, typ).
 */
import { sign as cryptoSign, type KeyObject } from 'node:crypto';
import type { SigningAlg } from '../model.js';
import { ALGORITHMS } from './algorithms.js';

export function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export class JwsSigner {
  readonly kid: string;
  readonly alg: SigningAlg;
  readonly #key: KeyObject;
  readonly #headers = new Map<string, string>();

  constructor(kid: string, alg: SigningAlg, privateKey: KeyObject) {
    this.kid = kid;
    this.alg = alg;
    this.#key = privateKey;
  }

  sign(typ: string, payload: Record<string, unknown>): string {
    let header = this.#headers.get(typ);
    if (header === undefined) {
      header = base64urlJson({ alg: this.alg, typ, kid: this.kid });
      this.#headers.set(typ, header);
    }
    const signingInput = `${header}.${base64urlJson(payload)}`;
    const spec = ALGORITHMS[this.alg];
    const signature = cryptoSign(
      spec.digest,
      Buffer.from(signingInput, 'utf8'),
      spec.dsaEncoding ? { key: this.#key, dsaEncoding: spec.dsaEncoding } : this.#key,
    );
    return `${signingInput}.${signature.toString('base64url')}`;
  }
}
