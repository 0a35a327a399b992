import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkTokenString, mintTokenString, TOKEN_PREFIXES } from './token-string.js';

describe('token strings', () => {
  it('mint prefixed base62 tokens that pass their own checksum', () => {
    const tokens = new Set(Array.from({ length: 200 }, () => mintTokenString(TOKEN_PREFIXES.access_token)));
    assert.equal(tokens.size, 200);
    for (const token of tokens) {
      assert.match(token, /^tsr_at_[0-9A-Za-z]{49}$/);
      assert.equal(checkTokenString(token), 'tsr_at_');
    }
  });

  it('reject a single changed, dropped or added character without any lookup', () => {
    const token = mintTokenString(TOKEN_PREFIXES.access_token);
    const body = token.slice(7);
    for (let i = 0; i < body.length; i++) {
      const swapped = body[i] === 'x' ? 'y' : 'x';
      assert.equal(checkTokenString(`tsr_at_${body.slice(0, i)}${swapped}${body.slice(i + 1)}`), undefined);
    }
    assert.equal(checkTokenString(token.slice(0, -1)), undefined);
    assert.equal(checkTokenString(`${token}0`), undefined);
    assert.equal(checkTokenString(`tsr_xx_${body}`), undefined);
    assert.equal(checkTokenString('eyJhbGciOi.x.y'), undefined);
    assert.equal(checkTokenString(''), undefined);
  });
});
