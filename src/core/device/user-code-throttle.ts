/**
 * Slows down guessing of user codes on the verification page (RFC 8628 §5.1), per
 * client address, with the sign-in throttle's machinery: after a few wrong codes
 * each further one doubles the wait, up to a cap. A right code does not clear the
 * count: one real code must not buy an attacker fresh guesses.
 */
import type { Clock } from '../clock.js';
import type { AttemptCounter, ThrottlePolicy } from '../ports/attempt-counter.js';

export const USER_CODE_POLICY: ThrottlePolicy = { freeFailures: 5, baseDelay: 2, maxDelay: 900, window: 3600 };

const addressKey = (ip: string) => `device-code:ip:${ip}`;

export class UserCodeThrottle {
  readonly #clock: Clock;
  readonly #counter: AttemptCounter;

  constructor(clock: Clock, counter: AttemptCounter) {
    this.#clock = clock;
    this.#counter = counter;
  }

  /** Seconds before this address may try another code; 0 if it may now. */
  waitFor(ip: string): Promise<number> {
    return this.#counter.waitFor(addressKey(ip), this.#clock.now());
  }

  recordFailure(ip: string): Promise<void> {
    return this.#counter.recordFailure(addressKey(ip), USER_CODE_POLICY, this.#clock.now());
  }
}
