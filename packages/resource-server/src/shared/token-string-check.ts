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

/** base62 of a big-endian unsigned integer, left-padded with zeros to `width`. */
export function toBase62(bytes: Uint8Array, width: number): string {
  let n = 0n;
  for (const byte of bytes) n = (n << 8n) | BigInt(byte);
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
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
