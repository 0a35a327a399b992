/**
 * Failed-attempt counters in Redis, shared by every instance: one script counts a
 * failure, computes the wait and renews the expiry atomically, so concurrent failures
 * on different instances all count. If Redis cannot be reached, the counters of this
 * process are used instead (fail open to per-instance throttling, not to none), with a
 * warning at most every 10 seconds and a count for the metrics.
 */
import type { Redis } from 'ioredis';
import { MemoryAttemptCounter } from '../core/interaction/memory-attempt-counter.js';
import type { AttemptCounter, ThrottlePolicy } from '../core/ports/attempt-counter.js';

// KEYS[1]: the counter. ARGV: now, freeFailures, baseDelay, maxDelay, window (seconds).
const RECORD_FAILURE = `
local failures = redis.call('HINCRBY', KEYS[1], 'f', 1)
local now = tonumber(ARGV[1])
local over = failures - tonumber(ARGV[2])
local blocked = tonumber(redis.call('HGET', KEYS[1], 'b') or '0')
if over > 0 then
  blocked = now + math.min(tonumber(ARGV[4]), tonumber(ARGV[3]) * 2 ^ math.min(over - 1, 30))
  redis.call('HSET', KEYS[1], 'b', math.floor(blocked))
end
redis.call('EXPIRE', KEYS[1], math.max(tonumber(ARGV[5]), math.floor(blocked - now) + 1))
return failures
`;

const WARN_EVERY_MS = 10_000;

export class RedisAttemptCounter implements AttemptCounter {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #fallback = new MemoryAttemptCounter();
  readonly #warn: (message: string, fields?: Record<string, unknown>) => void;
  #lastWarning = 0;
  fallbacks = 0;

  constructor(options: { redis: Redis; prefix: string; warn?: (message: string, fields?: Record<string, unknown>) => void }) {
    this.#redis = options.redis;
    this.#prefix = `${options.prefix}attempts:`;
    this.#warn = options.warn ?? (() => {});
  }

  async waitFor(key: string, now: number): Promise<number> {
    try {
      const blocked = Number((await this.#redis.hget(this.#prefix + key, 'b')) ?? 0);
      return Math.max(0, blocked - now);
    } catch (error) {
      this.#unavailable(error);
      return this.#fallback.waitFor(key, now);
    }
  }

  async recordFailure(key: string, policy: ThrottlePolicy, now: number): Promise<void> {
    try {
      await this.#redis.eval(RECORD_FAILURE, 1, this.#prefix + key, now, policy.freeFailures, policy.baseDelay, policy.maxDelay, policy.window);
    } catch (error) {
      this.#unavailable(error);
      await this.#fallback.recordFailure(key, policy, now);
    }
  }

  async clear(key: string): Promise<void> {
    try {
      await this.#redis.del(this.#prefix + key);
    } catch (error) {
      this.#unavailable(error);
    }
    await this.#fallback.clear(key);
  }

  #unavailable(error: unknown): void {
    this.fallbacks += 1;
    const now = Date.now();
    if (now - this.#lastWarning < WARN_EVERY_MS) return;
    this.#lastWarning = now;
    this.#warn('throttle: Redis unreachable; counting failed sign-ins in this process only', { err: (error as Error).message, fallbacks: this.fallbacks });
  }
}
