/**
 * The change feed: how an instance tells the others that something they cache in
 * process changed, so they drop it within the coherence bound rather than at the end
 * of a TTL. Messages are hints, not data: a receiver re-reads the store. Delivery is
 * at most once, so every cache also keeps a TTL as a safety net, and a feed that lost
 * its connection reports `resync` once it is back (messages may have been missed).
 */

/** What changed: APIs or clients (the catalog), or the signing key ring. */
export type ChangeTopic = 'api' | 'client' | 'keys';

export type Change =
  /** One entity changed (`key` is its identifier), or all of a topic when `key` is absent. */
  | { kind: 'changed'; topic: ChangeTopic; key?: string }
  /** The feed reconnected after an outage: forget everything cached. */
  | { kind: 'resync' };

export interface ChangeFeed {
  /** Tells every instance (this one included) about a change already committed to the store. Never throws. */
  publish(topic: ChangeTopic, key?: string): Promise<void>;
  /** Returns a function that unsubscribes. */
  subscribe(listener: (change: Change) => void): () => void;
  close(): Promise<void>;
}
