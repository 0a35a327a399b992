/**
 * Counters of failed attempts (sign-in failures per account and per address), the
 * state behind brute-force throttling. One process keeps them in memory; instances
 * sharing a deployment keep them in a shared store (Redis), so an attacker spreading
 * guesses over instances meets one count.
 */

export interface ThrottlePolicy {
  /** Failures allowed before waits begin. */
  freeFailures: number;
  /** Seconds of the first wait; each further failure doubles it. */
  baseDelay: number;
  maxDelay: number;
  /** Seconds after the last failure at which the count is forgotten. */
  window: number;
}

export interface AttemptCounter {
  /** Seconds before `key` may try again; 0 if it may now. */
  waitFor(key: string, now: number): Promise<number>;
  /** Counts a failure atomically (concurrent failures on several instances all count). */
  recordFailure(key: string, policy: ThrottlePolicy, now: number): Promise<void>;
  clear(key: string): Promise<void>;
  /** Times the shared counters could not be reached and this process's own were used instead. */
  readonly fallbacks: number;
}
