/**
 * The change feed over Redis pub/sub, chosen when TESSERA_REDIS_URL is set. A subscriber
 * connection listens; a command connection publishes. When the subscriber comes back
 * after a disconnection (ioredis subscribes again by itself), subscribers get
 * `resync`, since messages published meanwhile are lost.
 */
import type { Redis } from 'ioredis';
import { decodeChange, encodeChange } from '../core/changes/change-message.js';
import { LocalChangeFeed } from '../core/changes/local-change-feed.js';
import type { Change, ChangeFeed, ChangeTopic } from '../core/ports/change-feed.js';
import { connectRedis } from './redis-connection.js';

export class RedisChangeFeed implements ChangeFeed {
  readonly #local = new LocalChangeFeed();
  readonly #url: string;
  readonly #channel: string;
  readonly #publisher: Redis;
  readonly #warn: (message: string, fields?: Record<string, unknown>) => void;
  #subscriber: Redis | undefined;
  reconnects = 0;

  readonly #listen: boolean;

  /** `publisher` is the command connection, closed with the feed; `listen: false` for a process that only publishes. */
  constructor(options: {
    url: string;
    prefix: string;
    publisher: Redis;
    listen?: boolean;
    warn?: (message: string, fields?: Record<string, unknown>) => void;
  }) {
    this.#url = options.url;
    this.#listen = options.listen !== false;
    this.#channel = `${options.prefix}changes`;
    this.#publisher = options.publisher;
    this.#warn = options.warn ?? (() => {});
  }

  async publish(topic: ChangeTopic, key?: string): Promise<void> {
    try {
      await this.#publisher.publish(this.#channel, encodeChange(topic, key));
    } catch (error) {
      this.#warn('change feed: could not publish a change; other instances see it when their cache expires', { topic, err: (error as Error).message });
    }
    this.#local.deliver(key === undefined ? { kind: 'changed', topic } : { kind: 'changed', topic, key });
  }

  subscribe(listener: (change: Change) => void): () => void {
    const unsubscribe = this.#local.subscribe(listener);
    if (!this.#subscriber && this.#listen) this.#startListening();
    return unsubscribe;
  }

  #startListening(): void {
    const subscriber = connectRedis(this.#url, { subscriber: true });
    this.#subscriber = subscriber;
    let connected = false;
    let missed = false;
    subscriber.on('ready', () => {
      // ioredis re-subscribes after 'ready'; the first ready of a feed that never failed needs no resync.
      if (connected || missed) {
        this.reconnects += 1;
        this.#warn('change feed: Redis subscription back; dropping every cached entry', { reconnects: this.reconnects });
        this.#local.deliver({ kind: 'resync' });
      }
      connected = true;
    });
    subscriber.on('error', () => {
      missed = true;
    });
    subscriber.on('message', (channel: string, payload: string) => {
      if (channel !== this.#channel) return;
      const change = decodeChange(payload);
      if (change) this.#local.deliver(change);
    });
    subscriber.subscribe(this.#channel).catch((error: Error) => this.#warn('change feed: cannot subscribe on Redis; retrying', { err: error.message }));
  }

  /** Resolves once the subscription is active (tests). */
  async ready(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.#subscriber?.status !== 'ready' && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  }

  async close(): Promise<void> {
    this.#subscriber?.disconnect();
    this.#publisher.disconnect();
    await this.#local.close();
  }
}
