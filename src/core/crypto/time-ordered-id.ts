/**
 * UUIDv7 (RFC 9562 §5.7): 48 bits of Unix milliseconds, then 74 random bits. Used
 * for the `jti` of stored tokens. Ids that grow with time land at the end of the
 * tokens' jti index instead of on a random page of it, which keeps inserts cheap when
 * millions of tokens are stored; the random part keeps them unguessable. The time
 * they reveal is the token's `iat` anyway.
 */
import { randomFillSync } from 'node:crypto';

// Random bytes drawn in blocks, as node:crypto's randomUUID does: one system call per 256 ids.
const POOL = Buffer.alloc(10 * 256);
let offset = POOL.length;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function timeOrderedId(nowMs: number = Date.now()): string {
  if (offset === POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  const r = POOL.subarray(offset, offset + 10);
  offset += 10;
  const time = Math.floor(nowMs).toString(16).padStart(12, '0').slice(-12);
  return (
    `${time.slice(0, 8)}-${time.slice(8)}-` +
    `${HEX[0x70 | (r[0]! & 0x0f)]}${HEX[r[1]!]}-` +
    `${HEX[0x80 | (r[2]! & 0x3f)]}${HEX[r[3]!]}-` +
    `${HEX[r[4]!]}${HEX[r[5]!]}${HEX[r[6]!]}${HEX[r[7]!]}${HEX[r[8]!]}${HEX[r[9]!]}`
  );
}
