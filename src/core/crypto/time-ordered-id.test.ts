import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { timeOrderedId } from './time-ordered-id.js';

describe('timeOrderedId', () => {
  it('is a UUIDv7 carrying the time in milliseconds', () => {
    const id = timeOrderedId(1_800_000_000_123);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(parseInt(id.replace(/-/g, '').slice(0, 12), 16), 1_800_000_000_123);
  });

  it('sorts by time, and is unique within one millisecond', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => timeOrderedId(1_800_000_000_000 + Math.floor(i / 100)));
    assert.equal(new Set(ids).size, ids.length, 'random bits tell apart ids of one millisecond');
    const firsts = ids.filter((_, i) => i % 100 === 0);
    assert.deepEqual([...firsts].sort(), firsts);
    assert.ok(ids[1999]! > ids[0]!);
  });
});
