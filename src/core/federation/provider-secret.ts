/**
 * Upstream client secrets at rest: Tessera must send them to the upstream, so they
 * cannot be hashed. They are AES-256-GCM encrypted under a key derived from the
 * master key, bound to the provider id (a ciphertext moved to another provider's
 * row does not decrypt), and only ever decrypted to call the upstream's token endpoint.
 */
import { decryptKey, encryptKey } from '../crypto/key-encryption.js';
import { ConfigError } from '../errors.js';

export class ProviderSecrets {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    this.#key = key;
  }

  encrypt(providerId: string, secret: string): string {
    return encryptKey(this.#key, Buffer.from(secret, 'utf8'), `identity-provider:${providerId}`);
  }

  decrypt(providerId: string, encrypted: string): string {
    try {
      return decryptKey(this.#key, encrypted, `identity-provider:${providerId}`).toString('utf8');
    } catch {
      throw new ConfigError(
        `identity provider ${providerId}: its client secret cannot be decrypted (encrypted under another master key?); set clientSecret again`,
      );
    }
  }

  /** Whether `encrypted` holds `secret`: so applying the same file twice changes nothing. */
  holds(providerId: string, encrypted: string | undefined, secret: string): boolean {
    if (encrypted === undefined) return false;
    try {
      return this.decrypt(providerId, encrypted) === secret;
    } catch {
      return false;
    }
  }
}
