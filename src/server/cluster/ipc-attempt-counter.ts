/**
 * The failed-attempt counters of a worker: kept by the primary, so that guesses spread
 * over the workers of a machine meet one count. If the primary does not answer within
 * the time limit, the worker counts alone (as with Redis down) and says so in
 * `fallbacks`, never failing or stalling the sign-in.
 */
import type { AttemptCounter, ThrottlePolicy } from '../../core/ports/attempt-counter.js';
import { MemoryAttemptCounter } from '../../core/interaction/memory-attempt-counter.js';
import type { PrimaryChannel } from './primary-channel.js';

const ANSWER_WITHIN_MS = 500;

export class IpcAttemptCounter implements AttemptCounter {
  readonly #own = new MemoryAttemptCounter();
  #fallbacks = 0;

  readonly channel: PrimaryChannel;

  constructor(channel: PrimaryChannel) {
    this.channel = channel;
  }

  get fallbacks(): number {
    return this.#fallbacks;
  }

  waitFor(key: string, now: number): Promise<number> {
    return this.#ask(() => this.#own.waitFor(key, now), { kind: 'waitFor', key, now });
  }

  recordFailure(key: string, policy: ThrottlePolicy, now: number): Promise<void> {
    return this.#ask(() => this.#own.recordFailure(key, policy, now), { kind: 'recordFailure', key, policy, now });
  }

  clear(key: string): Promise<void> {
    return this.#ask(() => this.#own.clear(key), { kind: 'clear', key });
  }

  async #ask<T>(fallback: () => Promise<T>, question: Parameters<PrimaryChannel['ask']>[0]): Promise<T> {
    try {
      return await this.channel.ask<T>(question, ANSWER_WITHIN_MS);
    } catch {
      this.#fallbacks++;
      return fallback();
    }
  }
}
