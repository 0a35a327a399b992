/**
 * The change feed of a single process (the embedded SQLite store): subscribers of
 * this process are told synchronously, and nothing crosses a process boundary.
 * Also the fan-out that the shared feeds (PostgreSQL, Redis) deliver into.
 */
import type { Change, ChangeFeed, ChangeTopic } from '../ports/change-feed.js';

export class LocalChangeFeed implements ChangeFeed {
  readonly #listeners = new Set<(change: Change) => void>();

  async publish(topic: ChangeTopic, key?: string): Promise<void> {
    this.deliver(key === undefined ? { kind: 'changed', topic } : { kind: 'changed', topic, key });
  }

  subscribe(listener: (change: Change) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Hands a change to every subscriber; one failing listener does not stop the others. */
  deliver(change: Change): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch {
        // A listener only drops caches; the TTL covers one that failed.
      }
    }
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }
}
