/** The SDK's bounded cache: second-chance eviction, exact contents, across many evictions. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedCache } from '../../packages/resource-server/src/bounded-cache.js';

describe('resource-server: bounded cache', () => {
  it('evicts the oldest entry not used since it was last passed over', () => {
    const cache = new BoundedCache<number>(3);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    assert.equal(cache.get('a'), 1); // a gets a second chance
    cache.set('d', 4); // a is passed over (and moved behind c), b goes
    assert.equal(cache.get('b'), undefined);
    assert.deepEqual(
      ['a', 'c', 'd'].map((k) => cache.get(k)),
      [1, 3, 4],
    ); // all three now used
    cache.set('c', 30); // a re-set is a use
    cache.set('e', 5); // every entry was used: one pass unmarks them, then the oldest goes
    assert.equal(cache.size, 3);
    assert.equal(cache.get('e'), 5, 'the new entry is kept');
  });

  it('keeps a token that keeps being presented while one-off tokens churn through', () => {
    const cache = new BoundedCache<number>(100);
    cache.set('warm', 0);
    for (let i = 0; i < 50_000; i++) {
      cache.set(`cold-${i}`, i);
      if (i % 50 === 0) assert.equal(cache.get('warm'), 0, `warm evicted at ${i}`);
      assert.ok(cache.size <= 100);
    }
    assert.equal(cache.get('cold-49999'), 49_999);
    assert.equal(cache.get('cold-0'), undefined);
  });

  it('stays exact over many evictions, deletions and an emptied cache: never over its bound, never a stale value', () => {
    const cache = new BoundedCache<number>(100);
    const latest = new Map<string, number>(); // every value ever set, by key
    const deleted = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const key = `k${(i * 7919) % 450}`;
      if (i % 5 === 0) {
        const hit = cache.get(key);
        if (hit !== undefined) {
          assert.equal(hit, latest.get(key), `stale value for ${key} at ${i}`);
          assert.ok(!deleted.has(key), `deleted ${key} came back at ${i}`);
        }
      } else if (i % 11 === 0) {
        cache.delete(key);
        deleted.add(key);
      } else {
        cache.set(key, i);
        latest.set(key, i);
        deleted.delete(key);
      }
      if (i === 10_000) for (const k of latest.keys()) cache.delete(k), deleted.add(k);
      if (i === 10_000) assert.equal(cache.size, 0);
      assert.ok(cache.size <= 100, `size ${cache.size} at ${i}`);
    }
    assert.equal(cache.size, 100, 'full after the churn');
  });

  it('keeps nothing with a size of 0', () => {
    const cache = new BoundedCache<number>(0);
    cache.set('a', 1);
    assert.equal(cache.get('a'), undefined);
  });
});
