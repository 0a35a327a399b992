/**
 * Server-provided DPoP nonces (RFC 9449 §8), stateless: a nonce is a keyed hash of the
 * current time window, so every instance sharing the master key issues and accepts the
 * same ones without storing anything. The current and the previous window's nonce are
 * accepted, so a nonce lives between one and two windows.
 */
import { constantTimeEqual } from '../crypto/constant-time.js';
import type { SecretHasher } from '../crypto/secret-hasher.js';

export const DEFAULT_NONCE_WINDOW = 300;

export class DpopNonces {
  readonly #hasher: SecretHasher;
  readonly #window: number;

  constructor(hasher: SecretHasher, windowSeconds = DEFAULT_NONCE_WINDOW) {
    this.#hasher = hasher;
    this.#window = windowSeconds;
  }

  #nonceOf(slot: number): string {
    return this.#hasher.hash(`tessera dpop-nonce v1\0${slot}`).slice(0, 32);
  }

  /** The nonce to hand out now (in the `DPoP-Nonce` header). */
  current(now: number): string {
    return this.#nonceOf(Math.floor(now / this.#window));
  }

  accepts(nonce: unknown, now: number): boolean {
    if (typeof nonce !== 'string') return false;
    const slot = Math.floor(now / this.#window);
    return constantTimeEqual(nonce, this.#nonceOf(slot)) || constantTimeEqual(nonce, this.#nonceOf(slot - 1));
  }
}
