/**
 * The key a reference access token (`tsr_at_`) is stored under: time-ordered, so that
 * inserts land at the end of the tokens' primary-key B-tree.
 *
 * A stored token is found by the keyed hash of its string (crypto/secret-hasher.ts),
 * and a hash is random: at thousands of tokens a second each insert went to a random
 * leaf of the index, and a group commit wrote about one page per token. Reference
 * access tokens are the one kind issued at that rate, so theirs are minted with the
 * time in front (crypto/token-string.ts `mintTimeLedTokenString`: 48 bits of Unix
 * milliseconds, then 208 random bits). Their payload's first 8 base62 characters are
 * then the time (to within a unit of the random part), and the key is their value in
 * 12 hex digits followed by the keyed hash, 55 characters: ordered by minting time under
 * any collation (digits and lower-case letters), and still useless to whoever reads the
 * database without the hashing key. What the prefix reveals is the token's `iat`.
 *
 * Access tokens minted before (random from the first byte) were stored under the bare
 * hash (43 characters), which the lookup tries when the time-ordered key finds nothing:
 * no migration, and the second lookup is paid only until they expire (and for unknown
 * tokens). Every other kind keeps the bare hash.
 */
import type { SecretHasher } from '../crypto/secret-hasher.js';
import { mintTimeLedTokenString, TOKEN_PREFIXES } from '../crypto/token-string.js';
import type { StoredToken } from '../model.js';
import type { TokenRepository } from '../ports/storage.js';

const ACCESS = TOKEN_PREFIXES.access_token;
/** The payload characters the key's time part is read from: 62^8 < 2^48, exact in a double. */
const TIME_CHARS = 8;

/** A new reference access token: time-led, to be stored under `storedTokenKey`. */
export function mintReferenceAccessToken(nowMs: number = Date.now()): string {
  return mintTimeLedTokenString(ACCESS, nowMs);
}

/** The key a token is stored under when issued now: time-ordered for access tokens, the bare keyed hash for every other kind. */
export function storedTokenKey(hasher: SecretHasher, token: string): string {
  const hash = hasher.hash(token);
  return token.startsWith(ACCESS) ? timePart(token) + hash : hash;
}

/**
 * The stored token behind a token string, or undefined: under its time-ordered key, then
 * (an access token minted before those keys, or an unknown one) under the bare hash.
 */
export async function findStoredToken(store: Pick<TokenRepository, 'findTokenByHash'>, hasher: SecretHasher, token: string): Promise<StoredToken | undefined> {
  const hash = hasher.hash(token);
  if (!token.startsWith(ACCESS)) return store.findTokenByHash(hash);
  return (await store.findTokenByHash(timePart(token) + hash)) ?? store.findTokenByHash(hash);
}

/** The value of the payload's first 8 base62 characters, as 12 hex digits. */
function timePart(token: string): string {
  let value = 0;
  for (let i = ACCESS.length; i < ACCESS.length + TIME_CHARS; i++) value = value * 62 + digitOf(token.charCodeAt(i));
  return value.toString(16).padStart(12, '0');
}

/** A base62 digit's value (0-9, A-Z, a-z); the token's shape was checked before a lookup. */
function digitOf(code: number): number {
  if (code <= 57) return code - 48;
  if (code <= 90) return code - 55;
  return code - 61;
}
