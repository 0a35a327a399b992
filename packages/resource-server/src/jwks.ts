/**
 * The issuer's signing keys, cached. An unknown `kid` triggers a refetch, at most once
 * per cooldown (so random kids cannot make us hammer the issuer); the set is also
 * refreshed when older than its maximum age. Time comes from the injected clock.
 *
 * Tessera publishes its next key before it signs with it, so a rotation normally
 * needs no refetch at all; the refetch covers rotations made while we held an old set.
 */
import { createLocalJWKSet, errors, type FlattenedJWSInput, type JSONWebKeySet, type JWSHeaderParameters } from 'jose';
import type { Clock } from './options.js';
import { fetchJson, isObject, UpstreamError, type FetchLike } from './fetch-json.js';

type KeySelector = ReturnType<typeof createLocalJWKSet>;
type VerificationKey = Awaited<ReturnType<KeySelector>>;

export class JwksCache {
  readonly #uri: () => Promise<string>;
  readonly #fetch: FetchLike;
  readonly #timeoutMs: number;
  readonly #clock: Clock;
  readonly #cooldownSeconds: number;
  readonly #maxAgeSeconds: number;
  #select: KeySelector | undefined;
  #fetchedAt = -Infinity;
  #attemptedAt = -Infinity;
  #refreshing: Promise<void> | undefined;
  /** The key jose selected for each (alg, kid) of the current set: selection is not free. */
  #selected = new Map<string, VerificationKey>();
  /** How many times the set was fetched: for tests and metrics. */
  fetches = 0;

  constructor(options: { uri: () => Promise<string>; fetch: FetchLike; timeoutMs: number; clock: Clock; cooldownSeconds: number; maxAgeSeconds: number }) {
    this.#uri = options.uri;
    this.#fetch = options.fetch;
    this.#timeoutMs = options.timeoutMs;
    this.#clock = options.clock;
    this.#cooldownSeconds = options.cooldownSeconds;
    this.#maxAgeSeconds = options.maxAgeSeconds;
  }

  /**
   * The key already selected for this header from a set that needs no refresh, or
   * undefined (then `getKey` decides: fetch, refresh, refetch on an unknown kid).
   * Synchronous, so that a token signed with a known key costs no promise here.
   */
  knownKey(header: JWSHeaderParameters): VerificationKey | undefined {
    if (!this.#select || this.#clock.now() - this.#fetchedAt >= this.#maxAgeSeconds) return undefined;
    return this.#selected.get(`${String(header.alg)}\u0000${header.kid === undefined ? '' : String(header.kid)}`);
  }

  /** A jose key resolver: the key for this header, refetching once on an unknown kid. */
  async getKey(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<VerificationKey> {
    const now = this.#clock.now();
    if (!this.#select) await this.#refresh();
    else if (now - this.#fetchedAt >= this.#maxAgeSeconds) await this.#refresh().catch(() => undefined); // keep the old set
    const memo = `${String(header.alg)}\u0000${header.kid === undefined ? '' : String(header.kid)}`;
    const known = this.#selected.get(memo);
    if (known) return known;
    try {
      const select = this.#select!;
      const key = await select(header, token);
      if (select === this.#select) this.#selected.set(memo, key);
      return key;
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || now - this.#attemptedAt < this.#cooldownSeconds) throw error;
      await this.#refresh();
      return this.#select!(header, token);
    }
  }

  #refresh(): Promise<void> {
    this.#refreshing ??= this.#load().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #load(): Promise<void> {
    this.#attemptedAt = this.#clock.now();
    const uri = await this.#uri();
    this.fetches++;
    const jwks = await fetchJson(this.#fetch, uri, { headers: { accept: 'application/json' } }, this.#timeoutMs);
    if (!isObject(jwks) || !Array.isArray(jwks.keys)) throw new UpstreamError(`${uri} is not a JWK set`);
    try {
      this.#select = createLocalJWKSet(jwks as unknown as JSONWebKeySet);
      this.#selected = new Map();
    } catch (error) {
      throw new UpstreamError(`${uri} is not a valid JWK set`, { cause: error });
    }
    this.#fetchedAt = this.#clock.now();
  }
}
