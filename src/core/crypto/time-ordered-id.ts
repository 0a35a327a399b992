/**
 * UUIDv7 (RFC 9562 §5.7): 48 bits of Unix milliseconds, then 74 random bits. Used
 * for the `jti` of stored tokens. Ids that grow with time land at the end of the
 * tokens' jti index instead of on a random page of it, which keeps inserts cheap when
 * millions of tokens are stored; the random part keeps them unguessable. The time
 * they reveal is the token's `iat` anyway.
 */
import { RandomPool } from './random-pool.js';

// Ten random bytes per id, drawn 256 ids at a time.
const RANDOM = new RandomPool(10 * 256);

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function timeOrderedId(nowMs: number = Date.now()): string {
  const r = RANDOM.take(10);
  const time = Math.floor(nowMs).toString(16).padStart(12, '0').slice(-12);
  return (
    `${time.slice(0, 8)}-${time.slice(8)}-` +
    `${HEX[0x70 | (r[0]! & 0x0f)]}${HEX[r[1]!]}-` +
    `${HEX[0x80 | (r[2]! & 0x3f)]}${HEX[r[3]!]}-` +
    `${HEX[r[4]!]}${HEX[r[5]!]}${HEX[r[6]!]}${HEX[r[7]!]}${HEX[r[8]!]}${HEX[r[9]!]}`
  );
}
