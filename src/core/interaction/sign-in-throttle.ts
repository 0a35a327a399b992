/**
 * Slows down password guessing, per account and per client address. After a few
 * failures each further one doubles the wait, up to a cap; a success clears the
 * account's count. Counts live in this process (a shared store comes with scale-out).
 */
import type { Clock } from '../clock.js';

export interface ThrottlePolicy {
  /** Failures allowed before waits begin. */
  freeFailures: number;
  baseDelay: number;
  maxDelay: number;
  /** Failures older than this are forgotten. */
  window: number;
}

const ACCOUNT: ThrottlePolicy = { freeFailures: 5, baseDelay: 2, maxDelay: 900, window: 3600 };
const ADDRESS: ThrottlePolicy = { freeFailures: 20, baseDelay: 2, maxDelay: 900, window: 3600 };
const MAX_TRACKED = 100_000;

interface Entry {
  failures: number;
  lastFailure: number;
  blockedUntil: number;
}

export class SignInThrottle {
  readonly #clock: Clock;
  readonly #entries = new Map<string, Entry>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Seconds to wait before another attempt is allowed for this account or address; 0 if allowed. */
  waitFor(username: string, ip: string): number {
    const now = this.#clock.now();
    const wait = (key: string) => Math.max(0, (this.#entries.get(key)?.blockedUntil ?? 0) - now);
    return Math.max(wait(`u:${username.toLowerCase()}`), wait(`ip:${ip}`));
  }

  recordFailure(username: string, ip: string): void {
    this.#bump(`u:${username.toLowerCase()}`, ACCOUNT);
    this.#bump(`ip:${ip}`, ADDRESS);
  }

  recordSuccess(username: string): void {
    this.#entries.delete(`u:${username.toLowerCase()}`);
  }

  #bump(key: string, policy: ThrottlePolicy): void {
    const now = this.#clock.now();
    let entry = this.#entries.get(key);
    if (!entry || now - entry.lastFailure > policy.window) entry = { failures: 0, lastFailure: now, blockedUntil: 0 };
    entry.failures += 1;
    entry.lastFailure = now;
    const over = entry.failures - policy.freeFailures;
    if (over > 0) entry.blockedUntil = now + Math.min(policy.maxDelay, policy.baseDelay * 2 ** (over - 1));
    if (this.#entries.size >= MAX_TRACKED) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(key, entry);
  }
}
