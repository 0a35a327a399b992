/** The SDK's LRU: least recently used entries go first, across many evictions and rehashes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedCache } from '../../src/resource-server/bounded-cache.js';

describe('resource-server: bounded cache', () => {
  it('evicts the least recently used entry, hits and re-sets counting as uses', () => {
    const cache = new BoundedCache<number>(3);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    assert.equal(cache.get('a'), 1); // a is now the most recent
    cache.set('d', 4); // evicts b
    assert.equal(cache.get('b'), undefined);
    cache.set('c', 30); // c is now the most recent
    cache.set('e', 5); // evicts a
    assert.deepEqual(['a', 'b', 'c', 'd', 'e'].map((k) => cache.get(k)), [undefined, undefined, 30, 4, 5]);
    assert.equal(cache.size, 3);
  });

  it('stays exact over many evictions, deletions and an emptied cache', () => {
    const cache = new BoundedCache<number>(100);
    const model: string[] = []; // least recent first
    const use = (key: string) => {
      const at = model.indexOf(key);
      if (at >= 0) model.splice(at, 1);
      model.push(key);
    };
    for (let i = 0; i < 20_000; i++) {
      const key = `k${(i * 7919) % 450}`;
      if (i % 5 === 0) {
        const hit = cache.get(key);
        assert.equal(hit !== undefined, model.includes(key), `get ${key} at ${i}`);
        if (hit !== undefined) use(key);
      } else if (i % 11 === 0) {
        cache.delete(key);
        const at = model.indexOf(key);
        if (at >= 0) model.splice(at, 1);
      } else {
        cache.set(key, i);
        use(key);
        if (model.length > 100) model.shift();
      }
      if (i === 10_000) for (const k of [...model]) (cache.delete(k), model.splice(model.indexOf(k), 1));
      assert.equal(cache.size, model.length, `size at ${i}`);
    }
    for (const key of model) assert.notEqual(cache.get(key), undefined, key);
  });

  it('keeps nothing with a size of 0', () => {
    const cache = new BoundedCache<number>(0);
    cache.set('a', 1);
    assert.equal(cache.get('a'), undefined);
  });
});
