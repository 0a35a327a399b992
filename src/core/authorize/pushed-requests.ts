/**
 * Pushed authorization requests (RFC 9126): the parameters a client pushed to /par,
 * kept in the store (any instance can serve the /authorize that follows) under the
 * keyed hash of a random reference. A reference is short-lived, works only for the
 * client that pushed it, and only once.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { SecretHasher } from '../crypto/secret-hasher.js';
import { OAuthError } from '../errors.js';
import type { EphemeralRepository } from '../ports/storage.js';

export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';
export const DEFAULT_PUSHED_REQUEST_TTL = 60;
const KIND = 'par';

export interface PushedRequestPolicy {
  /** Seconds a request_uri stays usable (RFC 9126 §2.2 suggests a short time). */
  ttl: number;
  /** Every client must push its authorization requests (`require_pushed_authorization_requests`). */
  required: boolean;
}

export const DEFAULT_PUSHED_REQUEST_POLICY: PushedRequestPolicy = { ttl: DEFAULT_PUSHED_REQUEST_TTL, required: false };

interface PushedRecord {
  clientId: string;
  params: [string, string][];
}

const invalidRequestUri = (description: string) => new OAuthError('invalid_request_uri', 400, description);

export class PushedRequests {
  readonly policy: PushedRequestPolicy;
  readonly #records: EphemeralRepository;
  readonly #hasher: SecretHasher;
  readonly #clock: Clock;

  constructor(records: EphemeralRepository, hasher: SecretHasher, clock: Clock, policy: PushedRequestPolicy) {
    this.#records = records;
    this.#hasher = hasher;
    this.#clock = clock;
    this.policy = policy;
  }

  /** Stores a validated request's parameters; returns the reference for /authorize. */
  async push(clientId: string, params: [string, string][]): Promise<{ requestUri: string; expiresIn: number }> {
    const reference = randomBytes(32).toString('base64url');
    const record: PushedRecord = { clientId, params };
    await this.#records.putRecord(KIND, this.#hasher.hash(reference), record, this.#clock.now() + this.policy.ttl);
    return { requestUri: `${REQUEST_URI_PREFIX}${reference}`, expiresIn: this.policy.ttl };
  }

  /**
   * The parameters pushed under `requestUri`, used up by this call. Another client's
   * reference is refused without using it up, so it cannot be burned by a third party.
   */
  async take(clientId: string, requestUri: string): Promise<[string, string][]> {
    const reference = requestUri.startsWith(REQUEST_URI_PREFIX) ? requestUri.slice(REQUEST_URI_PREFIX.length) : '';
    if (!/^[\w-]{43}$/.test(reference)) throw invalidRequestUri('request_uri is not one this server issued');
    const id = this.#hasher.hash(reference);
    const now = this.#clock.now();
    const record = await this.#records.getRecord<PushedRecord>(KIND, id, now);
    if (!record) throw invalidRequestUri('request_uri is unknown or expired');
    if (record.clientId !== clientId) throw invalidRequestUri('request_uri was pushed by another client');
    const used = await this.#records.consumeRecord<PushedRecord>(KIND, id, now);
    if (!used?.firstUse) throw invalidRequestUri('request_uri has already been used');
    return record.params;
  }
}
