/**
 * Slows down guessing of client credentials (RFC 6749 §10.10), per client id and per
 * address, on every endpoint where a client authenticates. The same machinery as the
 * sign-in throttle: after a few failures each further one doubles the wait, up to a
 * cap, and the counts live behind an AttemptCounter (in process, or shared in Redis).
 * A success does not clear a client's count: a busy legitimate client would otherwise
 * reset an attacker's progress on its id after every request.
 */
import type { Clock } from '../clock.js';
import type { AttemptCounter, ThrottlePolicy } from '../ports/attempt-counter.js';

/** Per client id: a short cap, as anyone can spend a client's free failures. */
export const CLIENT_POLICY: ThrottlePolicy = { freeFailures: 10, baseDelay: 1, maxDelay: 60, window: 600 };
/** Per address: more failures allowed (several clients behind one address), a longer cap. */
export const ADDRESS_POLICY: ThrottlePolicy = { freeFailures: 20, baseDelay: 1, maxDelay: 300, window: 3600 };

const clientKey = (clientId: string) => `client-auth:c:${clientId}`;
const addressKey = (ip: string) => `client-auth:ip:${ip}`;

export class ClientAuthThrottle {
  readonly #clock: Clock;
  readonly #counter: AttemptCounter;

  constructor(clock: Clock, counter: AttemptCounter) {
    this.#clock = clock;
    this.#counter = counter;
  }

  /** Seconds before this client id or address may try again; 0 if it may now. */
  async waitFor(clientId: string | undefined, ip: string | undefined): Promise<number> {
    const now = this.#clock.now();
    const waits = await Promise.all([
      clientId !== undefined ? this.#counter.waitFor(clientKey(clientId), now) : 0,
      ip !== undefined ? this.#counter.waitFor(addressKey(ip), now) : 0,
    ]);
    return Math.max(...waits);
  }

  async recordFailure(clientId: string | undefined, ip: string | undefined): Promise<void> {
    const now = this.#clock.now();
    await Promise.all([
      clientId !== undefined ? this.#counter.recordFailure(clientKey(clientId), CLIENT_POLICY, now) : undefined,
      ip !== undefined ? this.#counter.recordFailure(addressKey(ip), ADDRESS_POLICY, now) : undefined,
    ]);
  }
}
