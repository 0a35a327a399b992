/**
 * The failed-attempt counters of a worker: kept by the primary (shared-attempts.ts), so
 * that guesses spread over the workers of a machine meet one count. Failures and clears
 * are sent to the primary; `waitFor`, on the path of every client authentication and
 * sign-in, is answered here from the blocks the primary announces, without a round trip.
 * If the primary does not answer within the time limit, the worker counts alone (as
 * with Redis down) and says so in `fallbacks`, never failing or stalling a request.
 */
import type { AttemptCounter, ThrottlePolicy } from '../../core/ports/attempt-counter.js';
import { MemoryAttemptCounter } from '../../core/interaction/memory-attempt-counter.js';
import type { Question } from './messages.js';
import type { Block } from './shared-attempts.js';

const ANSWER_WITHIN_MS = 500;
const MAX_BLOCKS = 100_000;

/** What the counter needs of the line to the primary (PrimaryChannel). */
export interface AttemptsChannel {
  ask<T>(question: Question, timeoutMs: number): Promise<T>;
  on(kind: 'blocked', handler: (message: { blocks: Block[] }) => void): void;
}

export class IpcAttemptCounter implements AttemptCounter {
  readonly #own = new MemoryAttemptCounter();
  readonly #blocked = new Map<string, number>();
  #fallbacks = 0;

  readonly channel: AttemptsChannel;

  constructor(channel: AttemptsChannel) {
    this.channel = channel;
    channel.on('blocked', ({ blocks }) => {
      for (const { key, until } of blocks) {
        this.#blocked.delete(key);
        if (until === 0) continue;
        if (this.#blocked.size >= MAX_BLOCKS) this.#blocked.delete(this.#blocked.keys().next().value as string);
        this.#blocked.set(key, until);
      }
    });
  }

  get fallbacks(): number {
    return this.#fallbacks;
  }

  async waitFor(key: string, now: number): Promise<number> {
    const until = this.#blocked.get(key);
    if (until !== undefined && until <= now) this.#blocked.delete(key);
    // Failures counted here while the primary was unreachable count too.
    return Math.max(0, (until ?? 0) - now, await this.#own.waitFor(key, now));
  }

  recordFailure(key: string, policy: ThrottlePolicy, now: number): Promise<void> {
    return this.#ask(() => this.#own.recordFailure(key, policy, now), { kind: 'recordFailure', key, policy, now });
  }

  async clear(key: string): Promise<void> {
    this.#blocked.delete(key);
    await this.#own.clear(key);
    await this.#ask(async () => {}, { kind: 'clear', key });
  }

  async #ask(fallback: () => Promise<void>, question: Question): Promise<void> {
    try {
      await this.channel.ask<void>(question, ANSWER_WITHIN_MS);
    } catch {
      this.#fallbacks++;
      await fallback();
    }
  }
}
