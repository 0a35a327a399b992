/**
 * The one way APIs and clients are written while the server runs (the management API,
 * dynamic registration, the first-start bootstrap, a configuration file). A write is
 * only half done at the store: every instance caches these entities (catalog.ts), so
 * each write is followed by dropping the cached copies here, publishing the change to
 * the other instances, and creating signing keys for any algorithm a new API asks for.
 * Writing through the store alone would leave stale copies until the cache TTL.
 */
import type { Catalog } from './catalog.js';
import type { Clock } from './clock.js';
import type { Api, Client } from './model.js';
import type { ChangeFeed } from './ports/change-feed.js';
import type { ApiRepository, ClientRepository, GuardedWriteRepository } from './ports/storage.js';

export interface CatalogWriterDependencies {
  store: ApiRepository & ClientRepository & GuardedWriteRepository;
  catalog: Catalog;
  clock: Clock;
  changes: ChangeFeed;
  /** Creates keys for the algorithms the APIs use now (the key ring's, via the engine). */
  ensureKeys: () => Promise<unknown>;
}

export class CatalogWriter {
  readonly #deps: CatalogWriterDependencies;

  constructor(deps: CatalogWriterDependencies) {
    this.#deps = deps;
  }

  /** Creates or replaces an API; over `expected` only if it is still stored as read (else StaleWriteError). */
  async saveApi(api: Api, expected?: Api): Promise<void> {
    if (expected) await this.#deps.store.replaceIf('api', expected, api);
    else await this.#deps.store.upsertApi(api);
    await this.changed();
  }

  /**
   * False when there was no such API (nothing changed, nothing published). With
   * `expected`, deletes it only if it is still stored as read (else StaleWriteError).
   */
  async deleteApi(identifier: string, expected?: Api): Promise<boolean> {
    const deleted = expected ? (await this.#deps.store.deleteIf('api', expected), true) : await this.#deps.store.deleteApi(identifier);
    if (deleted) await this.changed();
    return deleted;
  }

  /**
   * Creates or replaces a client; a new one is stamped with its creation time, a
   * replaced one keeps its own. Over `expected` only if it is still stored as read.
   */
  async saveClient(client: Client, expected?: Client): Promise<void> {
    const existing = expected ?? (await this.#deps.store.getClient(client.clientId));
    const stored = withCreatedAt(client, existing, this.#deps.clock.now());
    if (expected) await this.#deps.store.replaceIf('client', expected, stored);
    else await this.#deps.store.upsertClient(stored);
    await this.changed();
  }

  /** False when there was no such client (nothing changed, nothing published). */
  async deleteClient(clientId: string): Promise<boolean> {
    const deleted = await this.#deps.store.deleteClient(clientId);
    if (deleted) await this.changed();
    return deleted;
  }

  /**
   * After APIs or clients changed in bulk (a configuration applied in one go): drop
   * cached copies here and on every instance, and create keys for any new algorithm.
   */
  async changed(): Promise<void> {
    this.#deps.catalog.invalidate();
    await Promise.all([this.#deps.changes.publish('api'), this.#deps.changes.publish('client')]);
    await this.#deps.ensureKeys();
  }
}

/**
 * The client as it will be stored: `createdAt` is the first save's time, whatever the
 * caller built (an edit rebuilds the client from a form). A client saved before the
 * field existed keeps none rather than get one that would refuse its pending codes.
 */
export function withCreatedAt(client: Client, existing: Client | undefined, now: number): Client {
  const { createdAt: _ignored, ...rest } = client;
  if (!existing) return { ...rest, createdAt: now };
  return existing.createdAt !== undefined ? { ...rest, createdAt: existing.createdAt } : rest;
}
