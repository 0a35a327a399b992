/**
 * The local check of Tessera's opaque token strings, shared by the server and the
 * resource-server SDK (no dependencies beyond node:zlib).
 *
 *   `<prefix><payload><checksum>`: prefix `tsr_<kind>_`, payload 43 base62 characters,
 *   checksum the CRC32 of prefix+payload as 6 base62 characters.
 *
 * A mistyped, truncated or invented token is refused here, before any network or
 * storage lookup. The checksum is not a secret: it stops accidents, not attackers.
 */
import { crc32 } from 'node:zlib';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const TOKEN_PAYLOAD_CHARS = 43; // 32 random bytes: ceil(256 / log2(62))
export const TOKEN_CHECKSUM_CHARS = 6; // ceil(32 / log2(62))
const MAX_TOKEN_CHARS = 80;

export const TOKEN_PREFIXES = {
  access_token: 'tsr_at_',
  refresh_token: 'tsr_rt_',
  authorization_code: 'tsr_ac_',
  device_code: 'tsr_dc_',
  personal_access_token: 'tsr_pat_',
  service_access_token: 'tsr_sat_',
  initial_access_token: 'tsr_iat_',
  registration_access_token: 'tsr_rat_',
} as const;
export type TokenStringKind = keyof typeof TOKEN_PREFIXES;
export type TokenPrefix = (typeof TOKEN_PREFIXES)[TokenStringKind];

const SHAPE = /^tsr_[a-z]+_[0-9A-Za-z]+$/;
const PREFIX_ENTRIES = Object.entries(TOKEN_PREFIXES) as [TokenStringKind, TokenPrefix][];

/** Four base62 digits at a time: 62^4 < 2^24, so a remainder times 2^24 stays exact in a double. */
const CHUNK = 62 ** 4;
const LIMB = 2 ** 24;

/**
 * base62 of a big-endian unsigned integer, left-padded with zeros to `width`. Long
 * division of 24-bit limbs by 62^4, four digits per pass, in doubles: no BigInt (every
 * reference token is minted through here, and the BigInt loop was a visible part of
 * issuing one). The digits are those of the number itself, as before, so a token
 * derived from given bytes (a refresh token's successor) is the same string.
 */
export function toBase62(bytes: Uint8Array, width: number): string {
  // Limbs of 24 bits, most significant first; the first takes the bytes that do not fill a whole limb.
  const limbs: number[] = [];
  const head = bytes.length % 3;
  let at = 0;
  if (head > 0) {
    let limb = 0;
    for (; at < head; at++) limb = limb * 256 + bytes[at]!;
    limbs.push(limb);
  }
  for (; at < bytes.length; at += 3) limbs.push(bytes[at]! * 65536 + bytes[at + 1]! * 256 + bytes[at + 2]!);
  let first = 0;
  while (first < limbs.length && limbs[first] === 0) first++;
  const chunks: number[] = []; // base 62^4 digits, least significant first
  while (first < limbs.length) {
    let remainder = 0;
    for (let i = first; i < limbs.length; i++) {
      const value = remainder * LIMB + limbs[i]!;
      const quotient = Math.floor(value / CHUNK);
      limbs[i] = quotient;
      remainder = value - quotient * CHUNK;
    }
    chunks.push(remainder);
    while (first < limbs.length && limbs[first] === 0) first++;
  }
  let out = '';
  for (let c = 0; c < chunks.length; c++) {
    let chunk = chunks[c]!;
    const last = c === chunks.length - 1;
    // Every chunk gives four digits except the most significant, which gives only what it has.
    for (let d = 0; d < 4 && (!last || chunk > 0); d++) {
      out = ALPHABET[chunk % 62] + out;
      chunk = Math.floor(chunk / 62);
    }
  }
  return out.padStart(width, '0');
}

/**
 * The checksum of prefix+payload: CRC32, big-endian, base62 (what `toBase62` gives for
 * its four bytes). A 32-bit value is exact in a double, so this needs no BigInt: every
 * introspected or presented token string is checked here, and the BigInt loop was a
 * visible part of that in CPU profiles.
 */
export function tokenChecksum(body: string): string {
  let sum = crc32(body) >>> 0;
  let out = '';
  while (sum > 0) {
    out = ALPHABET[sum % 62] + out;
    sum = Math.floor(sum / 62);
  }
  return out.padStart(TOKEN_CHECKSUM_CHARS, '0');
}

export type TokenStringCheck = { ok: true; kind: TokenStringKind; prefix: TokenPrefix } | { ok: false; reason: 'bad_prefix' | 'bad_length' | 'bad_checksum' };

/** Says what a token string is, or why it cannot be one of Tessera's. */
export function inspectTokenString(token: string): TokenStringCheck {
  if (token.length > MAX_TOKEN_CHARS || !SHAPE.test(token)) return { ok: false, reason: 'bad_prefix' };
  const entry = PREFIX_ENTRIES.find(([, p]) => token.startsWith(p));
  if (!entry) return { ok: false, reason: 'bad_prefix' };
  const [kind, prefix] = entry;
  if (token.length !== prefix.length + TOKEN_PAYLOAD_CHARS + TOKEN_CHECKSUM_CHARS) return { ok: false, reason: 'bad_length' };
  const body = token.slice(0, -TOKEN_CHECKSUM_CHARS);
  if (tokenChecksum(body) !== token.slice(-TOKEN_CHECKSUM_CHARS)) return { ok: false, reason: 'bad_checksum' };
  return { ok: true, kind, prefix };
}

/** The prefix of a well-formed token string with a valid checksum, or undefined. */
export function checkTokenString(token: string): TokenPrefix | undefined {
  const check = inspectTokenString(token);
  return check.ok ? check.prefix : undefined;
}

/** User tokens and action tokens (`Token`, `ActionToken`): 40 lowercase hex characters. */
export function isHexKey(value: string): boolean {
  return /^[0-9a-f]{40}$/.test(value);
}
