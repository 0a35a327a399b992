import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mintUserCode, normalizeUserCode, USER_CODE_ALPHABET } from './user-code.js';

describe('user codes', () => {
  it('are eight consonants shown as XXXX-XXXX', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const code = mintUserCode();
      assert.match(code, new RegExp(`^[${USER_CODE_ALPHABET}]{4}-[${USER_CODE_ALPHABET}]{4}$`));
      seen.add(code);
    }
    assert.ok(seen.size > 495, 'random');
  });

  it('are compared without regard to case, dashes or spaces', () => {
    assert.equal(normalizeUserCode('WDJB-MJHT'), 'WDJBMJHT');
    assert.equal(normalizeUserCode('wdjb-mjht'), 'WDJBMJHT');
    assert.equal(normalizeUserCode(' wdjb mjht '), 'WDJBMJHT');
    assert.equal(normalizeUserCode('WDJBMJHT'), 'WDJBMJHT');
    assert.equal(normalizeUserCode('W-D-J-B-M-J-H-T'), 'WDJBMJHT');
  });

  it('refuses what cannot be a code', () => {
    for (const typed of ['', 'WDJB-MJH', 'WDJB-MJHTX', 'AEIO-UYBC', 'WDJB_MJHT', '12345678', 'WDJB-MJHT'.repeat(10)]) {
      assert.equal(normalizeUserCode(typed), undefined, typed);
    }
  });
});
