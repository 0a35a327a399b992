/**
 * A validated authorization request waiting for the user to sign in or consent,
 * kept in the store (any instance can continue it) for half an hour. It is bound to
 * the browser that started it by a cookie, and its forms carry a CSRF token, so
 * neither another browser nor another site can complete it.
 */
import { randomBytes } from 'node:crypto';
import type { AuthorizationRequest } from '../authorize/authorization-request.js';
import { constantTimeEqual } from '../crypto/constant-time.js';
import type { Clock } from '../clock.js';
import type { SecretHasher } from '../crypto/secret-hasher.js';
import type { EphemeralRepository } from '../ports/storage.js';

export const BROWSER_COOKIE = 'tsr_browser';
const TTL = 1800;

export interface PendingAuthorization {
  id: string;
  request: AuthorizationRequest;
  csrf: string;
  browserHash: string;
  /** Set once the user has signed in during this flow. */
  userId?: string;
  /** A device's request (RFC 8628) entered on the verification page: it ends by approving the device, not by a redirect. */
  device?: { userCodeHash: string };
  createdAt: number;
}

export class PendingAuthorizations {
  readonly #records: EphemeralRepository;
  readonly #hasher: SecretHasher;
  readonly #clock: Clock;

  constructor(records: EphemeralRepository, hasher: SecretHasher, clock: Clock) {
    this.#records = records;
    this.#hasher = hasher;
    this.#clock = clock;
  }

  /** Starts one; returns it and the browser cookie value to set (a new one if the browser had none). */
  async start(
    request: AuthorizationRequest,
    browserCookie: string | undefined,
    device?: PendingAuthorization['device'],
  ): Promise<{ pending: PendingAuthorization; browser: string }> {
    const browser = browserCookie && /^[\w-]{43}$/.test(browserCookie) ? browserCookie : randomBytes(32).toString('base64url');
    const now = this.#clock.now();
    const pending: PendingAuthorization = {
      id: randomBytes(24).toString('base64url'),
      request,
      csrf: randomBytes(24).toString('base64url'),
      browserHash: this.#hasher.hash(browser),
      createdAt: now,
      ...(device ? { device } : {}),
    };
    await this.#records.putRecord('interaction', pending.id, pending, now + TTL);
    return { pending, browser };
  }

  /** The pending authorization, if it exists and belongs to this browser. */
  async find(id: string | undefined, browserCookie: string | undefined): Promise<PendingAuthorization | undefined> {
    if (!id || !/^[\w-]{32}$/.test(id) || !browserCookie) return undefined;
    const pending = await this.#records.getRecord<PendingAuthorization>('interaction', id, this.#clock.now());
    if (!pending || !this.#hasher.matches(browserCookie, pending.browserHash)) return undefined;
    return pending;
  }

  /**
   * Moves a pending authorization to another browser. Only for a sign-in that came back
   * from an upstream provider without the browser cookie, once it is known to go on to
   * a second factor the account has: the authorization is of no use to this browser
   * until that factor is presented in it.
   */
  async rebind(id: string, browserCookie: string): Promise<PendingAuthorization | undefined> {
    if (!/^[\w-]{32}$/.test(id)) return undefined;
    const pending = await this.#records.getRecord<PendingAuthorization>('interaction', id, this.#clock.now());
    if (!pending) return undefined;
    pending.browserHash = this.#hasher.hash(browserCookie);
    await this.save(pending);
    return pending;
  }

  checkCsrf(pending: PendingAuthorization, presented: string | undefined): boolean {
    return constantTimeEqual(presented, pending.csrf);
  }

  async save(pending: PendingAuthorization): Promise<void> {
    await this.#records.putRecord('interaction', pending.id, pending, pending.createdAt + TTL);
  }

  async finish(pending: PendingAuthorization): Promise<void> {
    await this.#records.deleteRecord('interaction', pending.id);
  }
}
