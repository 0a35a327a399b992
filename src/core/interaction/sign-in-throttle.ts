/**
 * Slows down password guessing, per account and per client address. After a few
 * failures each further one doubles the wait, up to a cap; a success clears the
 * account's count. The counts live behind an AttemptCounter: in this process, or in
 * Redis when instances share them.
 */
import type { Clock } from '../clock.js';
import type { AttemptCounter, ThrottlePolicy } from '../ports/attempt-counter.js';

const ACCOUNT: ThrottlePolicy = { freeFailures: 5, baseDelay: 2, maxDelay: 900, window: 3600 };
const ADDRESS: ThrottlePolicy = { freeFailures: 20, baseDelay: 2, maxDelay: 900, window: 3600 };

const accountKey = (username: string) => `signin:u:${username.toLowerCase()}`;
const addressKey = (ip: string) => `signin:ip:${ip}`;

export class SignInThrottle {
  readonly #clock: Clock;
  readonly #counter: AttemptCounter;

  constructor(clock: Clock, counter: AttemptCounter) {
    this.#clock = clock;
    this.#counter = counter;
  }

  /** Seconds to wait before another attempt is allowed for this account or address; 0 if allowed. */
  async waitFor(username: string, ip: string): Promise<number> {
    const now = this.#clock.now();
    const waits = await Promise.all([this.#counter.waitFor(accountKey(username), now), this.#counter.waitFor(addressKey(ip), now)]);
    return Math.max(...waits);
  }

  async recordFailure(username: string, ip: string): Promise<void> {
    const now = this.#clock.now();
    await Promise.all([this.#counter.recordFailure(accountKey(username), ACCOUNT, now), this.#counter.recordFailure(addressKey(ip), ADDRESS, now)]);
  }

  async recordSuccess(username: string): Promise<void> {
    await this.#counter.clear(accountKey(username));
  }
}
