/**
 * The SDK's local token-string check (src/common) agrees with the server's minting
 * (src/core), so the server can later import the common module instead of its own.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mintTokenString, TOKEN_PREFIXES as CORE_PREFIXES } from '../../src/core/crypto/token-string.js';
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { checkTokenString, inspectTokenString, isHexKey, TOKEN_PREFIXES, toBase62, tokenChecksum } from '@tessera/resource-server/shared';

/** The conversion toBase62 replaced (BigInt), kept here as the reference its digits must match. */
function bigIntBase62(bytes: Uint8Array, width: number): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let n = 0n;
  for (const byte of bytes) n = (n << 8n) | BigInt(byte);
  let out = '';
  while (n > 0n) {
    out = alphabet[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(width, '0');
}

describe('token string check (common)', () => {
  it('encodes base62 exactly as the BigInt conversion did (a refresh token derived from given bytes stays the same string)', () => {
    const cases: Uint8Array[] = [new Uint8Array(0), new Uint8Array(32), new Uint8Array(32).fill(0xff), new Uint8Array(4).fill(0xff)];
    for (let length = 1; length <= 40; length++) {
      for (let i = 0; i < 50; i++) {
        const bytes = randomBytes(length);
        if (i % 5 === 0) bytes.fill(0, 0, Math.min(length, i % 7)); // leading zero bytes
        cases.push(bytes);
      }
    }
    const one = new Uint8Array(32);
    one[31] = 1;
    cases.push(one);
    for (const bytes of cases) {
      for (const width of [0, 6, 43]) assert.equal(toBase62(bytes, width), bigIntBase62(bytes, width), Buffer.from(bytes).toString('hex'));
    }
  });

  it("computes the checksum as the base62 of the CRC32's four big-endian bytes (tokens minted before stay valid)", () => {
    for (let i = 0; i < 2000; i++) {
      const body = `tsr_at_${i.toString(36)}${'x'.repeat(i % 50)}`;
      const sum = crc32(body) >>> 0;
      const expected = toBase62(new Uint8Array([sum >>> 24, (sum >>> 16) & 0xff, (sum >>> 8) & 0xff, sum & 0xff]), 6);
      assert.equal(tokenChecksum(body), expected, body);
    }
    assert.equal(tokenChecksum('tsr_at_'), toBase62(new Uint8Array(Buffer.from((crc32('tsr_at_') >>> 0).toString(16).padStart(8, '0'), 'hex')), 6));
  });

  it('accepts every token the server mints, naming its kind', () => {
    for (const [kind, prefix] of Object.entries(CORE_PREFIXES)) {
      assert.equal(TOKEN_PREFIXES[kind as keyof typeof TOKEN_PREFIXES], prefix, `the SDK knows ${kind}`);
      for (let i = 0; i < 300; i++) {
        const token = mintTokenString(prefix);
        assert.deepEqual(inspectTokenString(token), { ok: true, kind, prefix }, token);
        assert.equal(checkTokenString(token), prefix);
      }
    }
  });

  it('says why a string is refused: prefix, length or checksum', () => {
    const token = mintTokenString(CORE_PREFIXES.access_token);
    const body = token.slice(7);
    assert.deepEqual(inspectTokenString(`tsr_xx_${body}`), { ok: false, reason: 'bad_prefix' });
    assert.deepEqual(inspectTokenString(`TSR_at_${body}`), { ok: false, reason: 'bad_prefix' });
    assert.deepEqual(inspectTokenString('eyJhbGciOi.x.y'), { ok: false, reason: 'bad_prefix' });
    assert.deepEqual(inspectTokenString(''), { ok: false, reason: 'bad_prefix' });
    assert.deepEqual(inspectTokenString(`${token}-`), { ok: false, reason: 'bad_prefix' });
    assert.deepEqual(inspectTokenString(token + 'x'.repeat(100)), { ok: false, reason: 'bad_prefix' });
    assert.deepEqual(inspectTokenString(token.slice(0, -1)), { ok: false, reason: 'bad_length' });
    assert.deepEqual(inspectTokenString(`${token}0`), { ok: false, reason: 'bad_length' });
    for (let i = 0; i < body.length; i++) {
      const swapped = body[i] === 'x' ? 'y' : 'x';
      assert.deepEqual(inspectTokenString(`tsr_at_${body.slice(0, i)}${swapped}${body.slice(i + 1)}`), { ok: false, reason: 'bad_checksum' });
    }
    // The same payload and checksum under another prefix: the prefix is checksummed too.
    assert.deepEqual(inspectTokenString(`tsr_rt_${body}`), { ok: false, reason: 'bad_checksum' });
  });

  it('recognises user and action token keys: 40 lowercase hex characters', () => {
    assert.equal(isHexKey('9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b'), true);
    assert.equal(isHexKey('9944B09199C62BCF9418AD846DD0E4BBDFC6EE4B'), false);
    assert.equal(isHexKey('9944b09199c62bcf9418ad846dd0e4bbdfc6ee4'), false);
    assert.equal(isHexKey('9944b09199c62bcf9418ad846dd0e4bbdfc6ee4bb'), false);
    assert.equal(isHexKey('g944b09199c62bcf9418ad846dd0e4bbdfc6ee4b'), false);
  });
});
