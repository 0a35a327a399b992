/**
 * Hashes of high-entropy secrets (client secrets, tokens). A keyed HMAC-SHA256 is
 * the right tool: the inputs are random, so a slow password hash would buy nothing
 * and cap the token endpoint at a few requests per second; the key means a stolen
 * database alone cannot even confirm a guessed token.
 */
import { createHmac } from 'node:crypto';
import { constantTimeEqual } from './constant-time.js';

export class SecretHasher {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    this.#key = key;
  }

  hash(secret: string): string {
    return createHmac('sha256', this.#key).update(secret, 'utf8').digest('base64url');
  }

  /** Constant-time comparison of a presented secret with a stored hash. */
  matches(secret: string, storedHash: string): boolean {
    const expected = Buffer.from(storedHash, 'base64url');
    const actual = createHmac('sha256', this.#key).update(secret, 'utf8').digest();
    return constantTimeEqual(actual, expected);
  }
}
