/**
 * Recovery codes: ten single-use codes for when the authenticator app is lost, shown
 * once and stored as keyed hashes. Each is ten characters of a 31-letter alphabet
 * without look-alikes (about 50 bits), written `xxxxx-xxxxx`; what a person types is
 * compared without case, spaces or dashes.
 */
import { randomInt } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const LENGTH = 10;

export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const chars = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** The canonical form of a typed recovery code, or undefined when it cannot be one. */
export function normalizeRecoveryCode(typed: string): string | undefined {
  const clean = typed.toLowerCase().replace(/[\s-]/g, '');
  return clean.length === LENGTH && [...clean].every((c) => ALPHABET.includes(c)) ? clean : undefined;
}
