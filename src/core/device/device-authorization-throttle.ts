/**
 * Throttles POST /device_authorization for public clients, per client and address
 * (RFC 8628 §5.2 asks for protection against codes requested in bulk). A public
 * client has no secret, so anyone can ask for device codes in its name: each request
 * would store a row and mint a user code, and a flood of live user codes makes
 * guessing one on the verification page easier. A person at a command-line tool asks
 * for a few codes an hour; a script asking for hundreds waits, with the sign-in
 * throttle's machinery (shared through Redis when configured). Confidential clients
 * authenticate, so they are not counted here.
 */
import type { Clock } from '../clock.js';
import { OAuthError } from '../errors.js';
import type { AttemptCounter, ThrottlePolicy } from '../ports/attempt-counter.js';

/** 10 requests pass within 15 minutes; each further one doubles the wait, from 30 seconds up to 15 minutes. */
export const DEVICE_AUTHORIZATION_POLICY: ThrottlePolicy = { freeFailures: 9, baseDelay: 30, maxDelay: 900, window: 900 };

const key = (clientId: string, ip: string) => `device-authorization:${clientId}:${ip}`;

/** 429, with RFC 8628's own "too fast" code and how long to wait. */
export const tooManyDeviceAuthorizations = (seconds: number) =>
  new OAuthError('slow_down', 429, `too many device authorization requests for this client from this address; retry after ${seconds} seconds`, {
    'Retry-After': String(seconds),
  });

export class DeviceAuthorizationThrottle {
  readonly #clock: Clock;
  readonly #counter: AttemptCounter;

  constructor(clock: Clock, counter: AttemptCounter) {
    this.#clock = clock;
    this.#counter = counter;
  }

  /** Counts a request of a public client from `ip`, refusing it with 429 when it must wait. */
  async admit(clientId: string, ip: string | undefined): Promise<void> {
    if (ip === undefined) return;
    const now = this.#clock.now();
    const wait = await this.#counter.waitFor(key(clientId, ip), now);
    if (wait > 0) throw tooManyDeviceAuthorizations(wait);
    await this.#counter.recordFailure(key(clientId, ip), DEVICE_AUTHORIZATION_POLICY, now);
  }
}
