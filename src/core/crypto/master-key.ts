/**
 * The master key: 32 secret bytes from which Tessera derives its key-encryption key
 * (for signing keys at rest) and its hashing key (for client secrets and tokens).
 * Separate derived keys mean one purpose can never be confused for the other.
 */
import { hkdfSync } from 'node:crypto';

export const MASTER_KEY_BYTES = 32;

export interface DerivedKeys {
  /** AES-256-GCM key that wraps signing private keys. */
  keyEncryptionKey: Buffer;
  /** HMAC-SHA256 key for hashing high-entropy secrets. */
  secretHashKey: Buffer;
  /** AES-256-GCM key that seals mail waiting in the outbox (it carries single-use links). */
  outboxKey: Buffer;
  /** AES-256-GCM key for secrets Tessera must use later in clear (upstream providers' client secrets). */
  secretEncryptionKey: Buffer;
}

export function deriveKeys(masterKey: Buffer): DerivedKeys {
  if (masterKey.length !== MASTER_KEY_BYTES) {
    throw new TypeError(`the master key must be ${MASTER_KEY_BYTES} bytes, got ${masterKey.length}`);
  }
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), info, 32));
  return {
    keyEncryptionKey: derive('tessera key-encryption v1'),
    secretHashKey: derive('tessera secret-hash v1'),
    outboxKey: derive('tessera mail-outbox v1'),
    secretEncryptionKey: derive('tessera secret-encryption v1'),
  };
}

/** Parses the textual form of a master key: 64 hex characters or 43 base64url characters. */
export function parseMasterKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64url');
  if (key.length !== MASTER_KEY_BYTES) {
    throw new TypeError('the master key must be 32 bytes written as 64 hex or 43 base64url characters');
  }
  return key;
}
