/** Failed-attempt counters in this process: the single-instance default, and the fallback when a shared one is down. */
import type { AttemptCounter, ThrottlePolicy } from '../ports/attempt-counter.js';

const MAX_TRACKED = 100_000;

interface Entry {
  failures: number;
  lastFailure: number;
  blockedUntil: number;
}

export class MemoryAttemptCounter implements AttemptCounter {
  readonly #entries = new Map<string, Entry>();
  readonly fallbacks = 0;

  async waitFor(key: string, now: number): Promise<number> {
    return Math.max(0, (this.#entries.get(key)?.blockedUntil ?? 0) - now);
  }

  async recordFailure(key: string, policy: ThrottlePolicy, now: number): Promise<void> {
    let entry = this.#entries.get(key);
    if (!entry || now - entry.lastFailure > policy.window) entry = { failures: 0, lastFailure: now, blockedUntil: 0 };
    entry.failures += 1;
    entry.lastFailure = now;
    const over = entry.failures - policy.freeFailures;
    if (over > 0) entry.blockedUntil = now + Math.min(policy.maxDelay, policy.baseDelay * 2 ** (over - 1));
    if (this.#entries.size >= MAX_TRACKED) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(key, entry);
  }

  async clear(key: string): Promise<void> {
    this.#entries.delete(key);
  }
}
