/** Proof markers in this process (tests, a single instance); expired ones are swept as new ones arrive. */
import type { ProofReplayCache } from './proof.js';

export class MemoryReplayCache implements ProofReplayCache {
  readonly #seen = new Map<string, number>();
  readonly #max: number;

  constructor(maxEntries = 100_000) {
    this.#max = maxEntries;
  }

  async useOnce(key: string, expiresAt: number, now: number): Promise<boolean> {
    const until = this.#seen.get(key);
    if (until !== undefined && until >= now) return false;
    if (this.#seen.size >= this.#max) for (const [k, exp] of this.#seen) if (exp < now || this.#seen.size >= this.#max) this.#seen.delete(k);
    this.#seen.set(key, expiresAt);
    return true;
  }
}
