/**
 * Wraps signing private keys at rest with AES-256-GCM under the key-encryption key.
 * Format: base64url(iv[12] | tag[16] | ciphertext). The kid is bound as associated
 * data, so a wrapped key cannot be swapped onto another key's row.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export function encryptKey(kek: Buffer, plaintext: Buffer, kid: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(Buffer.from(kid, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
}

export function decryptKey(kek: Buffer, wrapped: string, kid: string): Buffer {
  const data = Buffer.from(wrapped, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', kek, data.subarray(0, 12));
  decipher.setAAD(Buffer.from(kid, 'utf8'));
  decipher.setAuthTag(data.subarray(12, 28));
  try {
    return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]);
  } catch {
    throw new Error(`cannot decrypt signing key ${kid}: the master key differs from the one that stored it`);
  }
}
