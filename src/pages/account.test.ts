import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deviceName } from './account.js';

test('names a device from its User-Agent', () => {
  assert.equal(deviceName('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36'), 'Chrome on Linux');
  assert.equal(deviceName('Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:132.0) Gecko/20100101 Firefox/132.0'), 'Firefox on macOS');
  assert.equal(
    deviceName('Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1'),
    'Safari on iOS',
  );
  assert.equal(
    deviceName('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0'),
    'Edge on Windows',
  );
  assert.equal(deviceName(undefined), 'Unknown device');
  assert.equal(deviceName('node'), 'node');
});
