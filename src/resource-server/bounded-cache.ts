/**
 * A map with a size bound: least recently used entries go first. Keys are tokens or
 * token hashes.
 *
 * A Map keeps insertion order, so "least recently used" is its first entry once every
 * hit is moved to the end. Finding that entry with a fresh `keys().next()` is not
 * O(1), though: V8 leaves deleted entries in place until the table is rehashed, and a
 * fresh iterator walks over all of them (on a full cache of 10,000 that took about
 * 40 µs per insert, more than verifying the token). One long-lived iterator does not:
 * everything before its position has been evicted or moved to the end, so its next
 * key is always the oldest live one, and V8 carries it across rehashes.
 */
export class BoundedCache<V> {
  readonly #max: number;
  readonly #entries = new Map<string, V>();
  #oldest: Iterator<string> | undefined;

  constructor(maxEntries: number) {
    this.#max = maxEntries;
  }

  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    if (this.#max <= 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    while (this.#entries.size > this.#max) this.#evictOldest();
  }

  #evictOldest(): void {
    this.#oldest ??= this.#entries.keys();
    let next = this.#oldest.next();
    if (next.done) {
      // Exhausted (everything it saw has gone); the oldest is the first entry again.
      this.#oldest = this.#entries.keys();
      next = this.#oldest.next();
    }
    if (!next.done) this.#entries.delete(next.value);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}
