/**
 * The change feed over PostgreSQL LISTEN/NOTIFY, for instances sharing a database and
 * nothing else. One dedicated connection listens (a pooled one would be handed to
 * other queries); a notification sent after a commit reaches every listener within
 * milliseconds. If the listening connection drops, or stops answering the heartbeat,
 * it is replaced with growing pauses, and subscribers get `resync`: what was sent in
 * between is lost, so they drop everything cached.
 */
import pg from 'pg';
import { LocalChangeFeed } from '../../core/changes/local-change-feed.js';
import type { Change, ChangeFeed, ChangeTopic } from '../../core/ports/change-feed.js';
import { decodeChange, encodeChange } from '../../core/changes/change-message.js';

export interface PostgresChangeFeedOptions {
  connectionString: string;
  /** Tests and deployments sharing a database keep separate channels per schema. */
  schema?: string;
  connectTimeoutMs?: number;
  /** How often the listening connection is checked (default 5 s). */
  heartbeatMs?: number;
  /** False for a process that only publishes (the CLI). */
  listen?: boolean;
  warn?: (message: string, fields?: Record<string, unknown>) => void;
}

const MAX_BACKOFF_MS = 5000;

export class PostgresChangeFeed implements ChangeFeed {
  readonly #local = new LocalChangeFeed();
  readonly #options: PostgresChangeFeedOptions;
  readonly #channel: string;
  readonly #publisher: pg.Pool;
  #listener: pg.Client | undefined;
  #started = false;
  #closed = false;
  #backoff = 100;
  #everConnected = false;
  #timer: NodeJS.Timeout | undefined;
  /** Reconnections so far (for tests and logs). */
  reconnects = 0;

  constructor(options: PostgresChangeFeedOptions) {
    this.#options = options;
    this.#channel = options.schema ? `tessera_changes_${options.schema}`.slice(0, 63) : 'tessera_changes';
    this.#publisher = new pg.Pool({
      connectionString: options.connectionString,
      max: 1,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      idleTimeoutMillis: 10_000,
    });
    this.#publisher.on('error', () => {});
  }

  async publish(topic: ChangeTopic, key?: string): Promise<void> {
    try {
      await this.#publisher.query('SELECT pg_notify($1, $2)', [this.#channel, encodeChange(topic, key)]);
    } catch (error) {
      // The TTL still bounds how long other instances keep the old copy.
      this.#options.warn?.('change feed: could not publish a change; other instances see it when their cache expires', {
        topic,
        err: (error as Error).message,
      });
    }
    // This process hears its own notification too, but must not wait for it.
    this.#local.deliver(key === undefined ? { kind: 'changed', topic } : { kind: 'changed', topic, key });
  }

  subscribe(listener: (change: Change) => void): () => void {
    const unsubscribe = this.#local.subscribe(listener);
    if (!this.#started && this.#options.listen !== false) {
      this.#started = true;
      void this.#connect();
    }
    return unsubscribe;
  }

  /** Resolves once the listening connection is up (tests). */
  async ready(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.#listener && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    if (!this.#listener) throw new Error('change feed: not connected');
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({
      connectionString: this.#options.connectionString,
      connectionTimeoutMillis: this.#options.connectTimeoutMs ?? 5000,
      keepAlive: true,
      query_timeout: 5000,
    });
    let lost = false;
    const onLost = () => {
      if (lost) return;
      lost = true;
      if (this.#listener === client) this.#listener = undefined;
      clearInterval(this.#timer);
      void client.end().catch(() => {});
      this.#retry();
    };
    client.on('error', onLost);
    client.on('end', onLost);
    client.on('notification', (message) => {
      if (message.channel !== this.#channel || message.payload === undefined) return;
      const change = decodeChange(message.payload);
      if (change) this.#local.deliver(change);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(this.#channel)}`);
    } catch (error) {
      this.#options.warn?.('change feed: cannot listen on PostgreSQL; retrying', { err: (error as Error).message });
      onLost();
      return;
    }
    if (this.#closed) return void client.end().catch(() => {});
    this.#listener = client;
    this.#backoff = 100;
    if (this.#everConnected) {
      this.reconnects += 1;
      this.#options.warn?.('change feed: listening again; dropping every cached entry', { reconnects: this.reconnects });
      this.#local.deliver({ kind: 'resync' });
    }
    this.#everConnected = true;
    const heartbeat = this.#options.heartbeatMs ?? 5000;
    this.#timer = setInterval(() => void client.query('SELECT 1').catch(onLost), heartbeat);
    this.#timer.unref();
  }

  #retry(): void {
    if (this.#closed) return;
    // A start that never connected also resyncs once it does (it may have missed changes).
    this.#everConnected = true;
    const wait = this.#backoff;
    this.#backoff = Math.min(MAX_BACKOFF_MS, this.#backoff * 2);
    setTimeout(() => void this.#connect(), wait).unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await Promise.all([this.#listener?.end().catch(() => {}), this.#publisher.end().catch(() => {})]);
    await this.#local.close();
  }
}
