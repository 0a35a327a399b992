/**
 * Counts kept in plain numbers and added to a prom-client Counter when it is scraped
 * (from the Counter's `collect`), instead of a prom-client `inc` per event, which hashes
 * and validates a label object each time. The Counter still owns what /metrics shows.
 */
import type { Counter } from 'prom-client';

interface Count {
  readonly values: readonly string[];
  n: number;
  reported: number;
}

export class LocalCounts {
  readonly #counts = new Map<string, Count>();

  /** Adds one to the count named `key` (the label values, in the Counter's labelNames order, are read on first use only). */
  inc(key: string, values: () => readonly string[]): void {
    const count = this.#counts.get(key);
    if (count !== undefined) count.n += 1;
    else this.#counts.set(key, { values: values(), n: 1, reported: 0 });
  }

  /** Adds to `counter` what was counted since the last call. */
  report<L extends string>(counter: Counter<L>): void {
    for (const count of this.#counts.values()) {
      if (count.n === count.reported) continue;
      counter.labels(...(count.values as string[])).inc(count.n - count.reported);
      count.reported = count.n;
    }
  }
}
