/**
 * A map with a size bound, evicting by "second chance" (the CLOCK approximation of
 * least-recently-used): a hit only marks its entry; when the cache is full, the oldest
 * entry goes unless it was used since it was last passed over, in which case it is
 * moved to the end, unmarked, and the next oldest is considered. A token that keeps
 * being presented therefore stays while one-off tokens churn through. Keys are tokens
 * or token hashes.
 *
 * Why not exact LRU (move every hit to the end of the Map): in V8 a delete followed by
 * a set on a Map of thousands of entries costs tens of microseconds (measured: 16 µs at
 * 5,000 entries, 29 µs at 10,000, on Node 20), more than the lookup it would serve:
 * a warm hit on a full cache took 33 µs instead of about 1.5. Here a hit is a lookup
 * and a flag; only eviction moves entries, at most once per pass.
 *
 * Finding the oldest entry with a fresh `keys().next()` is not O(1) either: V8 leaves
 * deleted entries in place until the table is rehashed, and a fresh iterator walks over
 * them. One long-lived iterator does not: everything before its position has been
 * evicted or moved to the end, so its next key is the oldest live one.
 */
interface Slot<V> {
  value: V;
  used: boolean;
}

export class BoundedCache<V> {
  readonly #max: number;
  readonly #entries = new Map<string, Slot<V>>();
  #oldest: Iterator<string> | undefined;

  constructor(maxEntries: number) {
    this.#max = maxEntries;
  }

  get(key: string): V | undefined {
    const slot = this.#entries.get(key);
    if (slot === undefined) return undefined;
    slot.used = true;
    return slot.value;
  }

  /** Stores `value`; setting a key already present counts as a use. */
  set(key: string, value: V): void {
    if (this.#max <= 0) return;
    const slot = this.#entries.get(key);
    if (slot !== undefined) {
      slot.value = value;
      slot.used = true;
      return;
    }
    // Room is made before the new entry goes in, so that it is never the one evicted.
    while (this.#entries.size >= this.#max) this.#evictOne();
    this.#entries.set(key, { value, used: false });
  }

  #evictOne(): void {
    // Each used entry is passed over once (and unmarked), so this ends within two passes.
    for (;;) {
      this.#oldest ??= this.#entries.keys();
      let next = this.#oldest.next();
      if (next.done) {
        // Exhausted (everything it saw has gone or moved); start again from the first entry.
        this.#oldest = this.#entries.keys();
        next = this.#oldest.next();
        if (next.done) return;
      }
      const slot = this.#entries.get(next.value)!;
      this.#entries.delete(next.value);
      if (!slot.used) return;
      slot.used = false;
      this.#entries.set(next.value, slot);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}
