/**
 * Minting Tessera's opaque token strings: `<prefix><payload><checksum>`.
 *   prefix   says what the token is (tsr_at_, tsr_pat_, ...): readable in logs and by secret scanners;
 *   payload  32 random bytes in base62 (43 characters);
 *   checksum CRC32 of prefix+payload in base62 (6 characters), so a mistyped or truncated
 *            token is refused without a storage lookup.
 * The format and its check live in the resource-server SDK's package
 * (packages/resource-server/src/shared/token-string-check.ts), which the server imports as
 * @tessera/resource-server/shared; this file adds what only the server does: minting.
 */
import { randomBytes } from 'node:crypto';
import { RandomPool } from './random-pool.js';
import { TOKEN_PAYLOAD_CHARS, TOKEN_PREFIXES, toBase62, tokenChecksum, type TokenPrefix } from '@tessera/resource-server/shared';

export { checkTokenString, isHexKey } from '@tessera/resource-server/shared';
export { TOKEN_PREFIXES, type TokenPrefix };

// 32 random bytes per token, drawn 128 tokens at a time.
const RANDOM = new RandomPool(32 * 128);

export function mintTokenString(prefix: TokenPrefix): string {
  return tokenStringFrom(prefix, RANDOM.take(32));
}

/**
 * A token string whose 32 payload bytes begin with the time of minting (48 bits of Unix
 * milliseconds, big-endian, as in UUIDv7) and end with 26 random bytes (208 bits): its
 * payload's first characters grow with time, which tokens/stored-token-key.ts turns
 * into a storage key that keeps inserts in order. The format is the same as any token's.
 */
export function mintTimeLedTokenString(prefix: TokenPrefix, nowMs: number = Date.now()): string {
  const bytes = RANDOM.take(32);
  bytes.writeUIntBE(Math.floor(nowMs), 0, 6);
  return tokenStringFrom(prefix, bytes);
}

/**
 * A token string derived from 32 secret bytes rather than drawn at random: the same
 * bytes give the same token (a refresh token's successor, see tokens/refresh-token-issuer.ts).
 */
export function tokenStringFrom(prefix: TokenPrefix, bytes: Buffer): string {
  const body = prefix + toBase62(bytes, TOKEN_PAYLOAD_CHARS);
  return body + tokenChecksum(body);
}

/**
 * User tokens and action tokens (seeds 000/001) are 40 lowercase hex characters, sent
 * under their own header schemes (`Token`, `ActionToken`): 160 random bits.
 */
export function mintHexKey(): string {
  return randomBytes(20).toString('hex');
}
