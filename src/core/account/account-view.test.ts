import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expiryOptions } from './account-view.js';

test('offers PAT lifetimes up to the configured maximum, and the maximum itself', () => {
  assert.deepEqual(
    expiryOptions(365 * 86400).map((e) => e.label),
    ['1 day', '7 days', '30 days', '90 days', '180 days', '365 days'],
  );
  assert.deepEqual(
    expiryOptions(45 * 86400).map((e) => e.seconds / 86400),
    [1, 7, 30, 45],
  );
  assert.deepEqual(expiryOptions(7200), [{ seconds: 7200, label: '2 hour(s)' }]);
});
