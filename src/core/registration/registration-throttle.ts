/**
 * Registration is throttled per client address with the sign-in throttle's machinery
 * (an AttemptCounter, in process or shared in Redis): every attempt counts, so a
 * flood of registrations or of guessed tokens from one address soon has to wait.
 */
import type { Clock } from '../clock.js';
import type { AttemptCounter, ThrottlePolicy } from '../ports/attempt-counter.js';
import { OAuthError } from '../errors.js';
import type { RegistrationPolicy } from './registration-policy.js';

/** Wrong initial or registration access tokens: the client-authentication throttle's address policy. */
const BAD_TOKEN_POLICY: ThrottlePolicy = { freeFailures: 20, baseDelay: 1, maxDelay: 300, window: 3600 };

const registerKey = (ip: string) => `registration:ip:${ip}`;
const badTokenKey = (ip: string) => `registration:token:ip:${ip}`;

export const tooManyRegistrations = (seconds: number, what: string) =>
  new OAuthError('temporarily_unavailable', 429, `too many ${what} from this address; retry after ${seconds} seconds`, { 'Retry-After': String(seconds) });

export class RegistrationThrottle {
  readonly #clock: Clock;
  readonly #counter: AttemptCounter;
  readonly #policy: ThrottlePolicy;

  constructor(clock: Clock, counter: AttemptCounter, policy: Pick<RegistrationPolicy, 'maxPerAddress' | 'throttleWindow'>) {
    this.#clock = clock;
    this.#counter = counter;
    // `maxPerAddress` registrations pass; the last of them starts a wait that doubles with each further one.
    this.#policy = { freeFailures: policy.maxPerAddress - 1, baseDelay: 60, maxDelay: policy.throttleWindow, window: policy.throttleWindow };
  }

  /** Counts a registration attempt from `ip`, refusing it with 429 when the address must wait. */
  async admitRegistration(ip: string | undefined): Promise<void> {
    if (ip === undefined) return;
    const now = this.#clock.now();
    const wait = Math.max(await this.#counter.waitFor(registerKey(ip), now), await this.#counter.waitFor(badTokenKey(ip), now));
    if (wait > 0) throw tooManyRegistrations(wait, 'registrations');
    await this.#counter.recordFailure(registerKey(ip), this.#policy, now);
  }

  /** Refuses an address that has presented too many wrong tokens. */
  async checkTokenGuessing(ip: string | undefined): Promise<void> {
    if (ip === undefined) return;
    const wait = await this.#counter.waitFor(badTokenKey(ip), this.#clock.now());
    if (wait > 0) throw tooManyRegistrations(wait, 'invalid tokens');
  }

  async recordBadToken(ip: string | undefined): Promise<void> {
    if (ip !== undefined) await this.#counter.recordFailure(badTokenKey(ip), BAD_TOKEN_POLICY, this.#clock.now());
  }
}
