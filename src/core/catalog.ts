/**
 * Read-through cache of APIs and clients, the entities read on every token request.
 * Entries are dropped when the change feed says so (a change made by this or another
 * instance) and in any case after `ttlSeconds`, the safety net for a lost message.
 * Misses are cached too, so a flood of unknown client ids does not reach the database
 * each time.
 */
import { looksLikeClientIdUrl } from './client-metadata/client-id-url.js';
import type { ClientMetadataDocuments, Resolution } from './client-metadata/resolver.js';
import type { Api, Client } from './model.js';
import type { ApiRepository, ClientRepository } from './ports/storage.js';

const MAX_ENTRIES = 10_000;

class TtlCache<V> {
  readonly #entries = new Map<string, { value: V | undefined; until: number }>();
  /**
   * Reads under way, one per key: the requests that miss together (every request in flight
   * when an entry expires, each second by default) wait for one read instead of each
   * sending its own to the database.
   */
  readonly #loading = new Map<string, Promise<V | undefined>>();
  /** Bumped by every invalidation: a load that began before one must not be cached after it. */
  #generation = 0;
  private readonly ttlMs: number;
  private readonly load: (key: string) => Promise<V | undefined>;

  constructor(ttlMs: number, load: (key: string) => Promise<V | undefined>) {
    this.ttlMs = ttlMs;
    this.load = load;
  }

  get(key: string): Promise<V | undefined> {
    const hit = this.#entries.get(key);
    if (hit && hit.until > Date.now()) return Promise.resolve(hit.value);
    let loading = this.#loading.get(key);
    if (!loading) {
      loading = this.#fill(key);
      this.#loading.set(key, loading);
      const done = loading;
      const forget = () => {
        if (this.#loading.get(key) === done) this.#loading.delete(key);
      };
      done.then(forget, forget);
    }
    return loading;
  }

  async #fill(key: string): Promise<V | undefined> {
    const now = Date.now();
    const generation = this.#generation;
    const value = await this.load(key);
    if (generation !== this.#generation) return value;
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(key, { value, until: now + this.ttlMs });
    return value;
  }

  delete(key?: string): void {
    this.#generation += 1;
    // A read begun before the change is not joined by requests after it.
    if (key === undefined) {
      this.#entries.clear();
      this.#loading.clear();
    } else {
      this.#entries.delete(key);
      this.#loading.delete(key);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}

export class Catalog {
  readonly #apis: TtlCache<Api>;
  readonly #clients: TtlCache<Client>;
  /** Client ID metadata documents, when enabled: a client_id that is an https URL no stored client has. */
  #documents: ClientMetadataDocuments | undefined;

  constructor(repo: ApiRepository & ClientRepository, options: { ttlSeconds: number }) {
    const ttlMs = options.ttlSeconds * 1000;
    this.#apis = new TtlCache(ttlMs, (id) => repo.getApi(id));
    this.#clients = new TtlCache(ttlMs, (id) => repo.getClient(id));
  }

  api(identifier: string): Promise<Api | undefined> {
    return this.#apis.get(identifier);
  }

  async client(clientId: string): Promise<Client | undefined> {
    const resolution = await this.resolveClient(clientId);
    return 'client' in resolution ? resolution.client : undefined;
  }

  /** The client, or why there is none: a stored client first, then a metadata document at a URL client_id. */
  async resolveClient(clientId: string): Promise<Resolution> {
    const stored = await this.#clients.get(clientId);
    if (stored) return { client: stored };
    if (this.#documents && looksLikeClientIdUrl(clientId)) return this.#documents.resolve(clientId);
    return { error: 'unknown client_id' };
  }

  useClientMetadataDocuments(documents: ClientMetadataDocuments): void {
    this.#documents = documents;
  }

  get clientMetadataDocuments(): ClientMetadataDocuments | undefined {
    return this.#documents;
  }

  /** Entries held (APIs and clients, misses included): for metrics. */
  get size(): number {
    return this.#apis.size + this.#clients.size;
  }

  /** Forget cached entries after a change (all of a kind when no key is given, everything when no kind). */
  invalidate(kind?: 'api' | 'client', key?: string): void {
    if (kind !== 'client') this.#apis.delete(kind ? key : undefined);
    if (kind !== 'api') this.#clients.delete(kind ? key : undefined);
  }
}
