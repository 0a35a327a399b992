/**
 * User codes (RFC 8628 §6.1): short enough to read off a TV and type on a phone.
 * Eight letters from twenty consonants (no vowels, so no words; none that look
 * alike), shown as XXXX-XXXX: about 34.5 bits, enough with the verification page's
 * throttle and the codes' short life. Typed codes are compared after dropping case,
 * dashes and spaces.
 */
import { randomInt } from 'node:crypto';

export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const USER_CODE_LENGTH = 8;

/** A new user code, as shown: XXXX-XXXX. */
export function mintUserCode(): string {
  let code = '';
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** The code as typed, reduced to its letters; undefined when it cannot be a user code at all. */
export function normalizeUserCode(typed: string): string | undefined {
  if (typed.length > 64) return undefined;
  const letters = typed.toUpperCase().replace(/[\s-]/g, '');
  if (letters.length !== USER_CODE_LENGTH) return undefined;
  for (const c of letters) if (!USER_CODE_ALPHABET.includes(c)) return undefined;
  return letters;
}
