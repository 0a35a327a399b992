/**
 * Client ID metadata documents: a client_id that is an https URL names the document
 * describing the client. The resolver fetches it through the fetcher port (SSRF-safe
 * in the server), checks it (document.ts), fetches its jwks_uri the same safe way, and
 * keeps the result for as long as its Cache-Control allows, within bounds. Refusals
 * are kept briefly too, so a bad client_id does not make Tessera fetch on every request.
 * Nothing is stored: the document is the registration.
 */
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { Client } from '../model.js';
import { parseClientIdUrl } from './client-id-url.js';
import { clientFromDocument, InvalidClientDocument, type DocumentPolicy } from './document.js';
import { MetadataFetchError, type ClientMetadataFetcher } from './fetcher.js';

export interface ClientMetadataOptions {
  fetcher: ClientMetadataFetcher;
  /** What these clients may ask users for, per API; by default every API's scopes but the management API's. */
  permissions?: Record<string, string[]>;
  /** Cache bounds in seconds: a document's max-age is clamped to them; without one, `defaultSeconds`. */
  cache?: { minSeconds?: number; maxSeconds?: number; defaultSeconds?: number };
}

export type Resolution = { client: Client } | { error: string };

const MAX_ENTRIES = 1000;
/** Fetches in flight at once: beyond it a new client_id is refused for now, so a flood of URLs cannot make Tessera a crawler. */
const MAX_IN_FLIGHT = 16;
/** How long a refusal is remembered. */
const FAILURE_SECONDS = 10;

export function cacheSeconds(cacheControl: string | undefined, bounds: { min: number; max: number; fallback: number }): number {
  const directives = (cacheControl ?? '')
    .toLowerCase()
    .split(',')
    .map((d) => d.trim());
  let seconds = bounds.fallback;
  if (directives.some((d) => d === 'no-store' || d === 'no-cache')) seconds = 0;
  else {
    const maxAge = directives.map((d) => /^max-age="?(\d{1,10})"?$/.exec(d)).find(Boolean);
    if (maxAge) seconds = Number(maxAge[1]);
  }
  return Math.min(bounds.max, Math.max(bounds.min, seconds));
}

export class ClientMetadataDocuments {
  readonly #fetcher: ClientMetadataFetcher;
  readonly #clock: Clock;
  readonly #policy: () => Promise<DocumentPolicy>;
  readonly #bounds: { min: number; max: number; fallback: number };
  readonly #audit: AuditLog | undefined;
  readonly #entries = new Map<string, { resolution: Resolution; until: number }>();
  readonly #pending = new Map<string, Promise<Resolution>>();
  /** Fetches made, for tests and metrics. */
  fetches = 0;

  constructor(options: ClientMetadataOptions, clock: Clock, defaultPermissions: () => Promise<Record<string, string[]>>, audit?: AuditLog) {
    this.#audit = audit;
    this.#fetcher = options.fetcher;
    this.#clock = clock;
    const configured = options.permissions;
    this.#policy = async () => ({ permissions: configured ?? (await defaultPermissions()) });
    const c = options.cache ?? {};
    this.#bounds = { min: c.minSeconds ?? 60, max: c.maxSeconds ?? 86_400, fallback: c.defaultSeconds ?? 3600 };
  }

  /** The client a URL client_id describes, or why there is none (said to the user at /authorize). */
  async resolve(clientId: string): Promise<Resolution> {
    const now = this.#clock.now();
    const hit = this.#entries.get(clientId);
    if (hit && hit.until > now) return hit.resolution;
    const pending = this.#pending.get(clientId);
    if (pending) return pending;
    if (this.#pending.size >= MAX_IN_FLIGHT) return { error: 'too many client metadata documents are being fetched; try again shortly' };
    const loading = this.#load(clientId).finally(() => this.#pending.delete(clientId));
    this.#pending.set(clientId, loading);
    return loading;
  }

  async #load(clientId: string): Promise<Resolution> {
    const url = parseClientIdUrl(clientId);
    if (typeof url === 'string') return { error: url };
    let resolution: Resolution;
    let seconds = FAILURE_SECONDS;
    try {
      this.fetches += 1;
      const fetched = await this.#fetcher.fetch(url);
      const { client, jwksUri } = clientFromDocument(clientId, fetched.body, await this.#policy());
      if (jwksUri !== undefined) client.jwks = await this.#jwks(jwksUri);
      resolution = { client };
      seconds = cacheSeconds(fetched.cacheControl, this.#bounds);
    } catch (error) {
      if (error instanceof MetadataFetchError) resolution = { error: `the client metadata document could not be fetched: ${error.message}` };
      else if (error instanceof InvalidClientDocument) resolution = { error: error.message };
      else throw error;
    }
    this.#audit?.record(
      'client' in resolution
        ? { type: 'client.metadata_document_fetched', outcome: 'success', clientId, details: { name: resolution.client.name, cacheSeconds: seconds } }
        : { type: 'client.metadata_document_fetched', outcome: 'failure', clientId, reason: resolution.error.slice(0, 300) },
    );
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(clientId, { resolution, until: this.#clock.now() + seconds });
    return resolution;
  }

  async #jwks(uri: string): Promise<{ keys: Record<string, unknown>[] }> {
    const fetched = await this.#fetcher.fetch(new URL(uri));
    let set: unknown;
    try {
      set = JSON.parse(fetched.body);
    } catch {
      throw new InvalidClientDocument('the client metadata document is invalid: its jwks_uri does not serve JSON');
    }
    const keys = (set as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'object' || k === null)) {
      throw new InvalidClientDocument('the client metadata document is invalid: its jwks_uri does not serve a JWK set');
    }
    return { keys: keys as Record<string, unknown>[] };
  }

  /** Forget every document (a configuration change). */
  clear(): void {
    this.#entries.clear();
  }
}
