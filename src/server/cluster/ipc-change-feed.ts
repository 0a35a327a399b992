/**
 * The change feed of a worker on the embedded store: a change is delivered to this
 * worker's own caches at once and sent to the primary, which hands it to every other
 * worker. Like every feed it is a hint (the cache TTL stays the safety net).
 */
import { decodeChange, encodeChange } from '../../core/changes/change-message.js';
import { LocalChangeFeed } from '../../core/changes/local-change-feed.js';
import type { Change, ChangeFeed, ChangeTopic } from '../../core/ports/change-feed.js';
import type { PrimaryChannel } from './primary-channel.js';

export class IpcChangeFeed implements ChangeFeed {
  readonly #local = new LocalChangeFeed();

  readonly channel: PrimaryChannel;

  constructor(channel: PrimaryChannel) {
    this.channel = channel;
    channel.on('change', ({ payload }) => {
      const change = decodeChange(payload);
      if (change) this.#local.deliver(change);
    });
  }

  async publish(topic: ChangeTopic, key?: string): Promise<void> {
    await this.#local.publish(topic, key);
    this.channel.send({ tessera: 'change', payload: encodeChange(topic, key) });
  }

  subscribe(listener: (change: Change) => void): () => void {
    return this.#local.subscribe(listener);
  }

  async close(): Promise<void> {
    await this.#local.close();
  }
}
