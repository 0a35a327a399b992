/**
 * TOTP secrets at rest. Tessera must compute codes from them later, so they cannot be
 * hashed: they are AES-256-GCM encrypted under the key derived from the master key for
 * secrets kept in clear form (as upstream client secrets are), bound to the user and
 * the factor, so a ciphertext copied onto another row does not decrypt.
 *
 * A secret being enrolled travels sealed the same way (bound to the user, stamped with
 * the time), in a form field or a sign-in step, until the first code confirms it.
 */
import { decryptKey, encryptKey } from '../crypto/key-encryption.js';

/** How long an enrolment may take between showing the QR code and the first code. */
export const ENROLMENT_TTL = 900;

export class FactorSecrets {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    this.#key = key;
  }

  encrypt(userId: string, factorId: string, secret: Buffer): string {
    return encryptKey(this.#key, secret, `totp:${userId}:${factorId}`);
  }

  decrypt(userId: string, factorId: string, encrypted: string): Buffer | undefined {
    try {
      return decryptKey(this.#key, encrypted, `totp:${userId}:${factorId}`);
    } catch {
      return undefined;
    }
  }

  /** A secret on its way to being enrolled, for this user only. */
  seal(userId: string, secret: Buffer, now: number): string {
    return encryptKey(this.#key, Buffer.concat([Buffer.from(`${now}.`), secret]), `totp-enrolment:${userId}`);
  }

  /** The sealed secret, if it is this user's and not older than ENROLMENT_TTL. */
  unseal(userId: string, sealed: string | undefined, now: number): Buffer | undefined {
    if (!sealed || sealed.length > 200) return undefined;
    let plain: Buffer;
    try {
      plain = decryptKey(this.#key, sealed, `totp-enrolment:${userId}`);
    } catch {
      return undefined;
    }
    const dot = plain.indexOf(0x2e);
    const sealedAt = Number(plain.subarray(0, dot).toString());
    if (dot < 0 || !Number.isInteger(sealedAt) || now - sealedAt > ENROLMENT_TTL || sealedAt > now + 60) return undefined;
    return plain.subarray(dot + 1);
  }
}
