/**
 * The primary's failed-attempt counters for `start --workers`, and what keeps the
 * token path free of IPC: every check of a throttle (`waitFor`, twice per client
 * authentication) would otherwise be a round trip to the primary. Only failures and
 * clears travel; whenever one leaves a key blocked (or unblocks it), every worker is
 * told the key and until when, and answers `waitFor` from that list on its own.
 *
 * The count stays exact (one counter, in the primary). What a worker knows of a new
 * block is at most one IPC hop old: attempts already in flight on other workers in
 * that instant are let through, as they would be on one process racing its own requests.
 */
import { MemoryAttemptCounter } from '../../core/interaction/memory-attempt-counter.js';
import type { ThrottlePolicy } from '../../core/ports/attempt-counter.js';

/** A key blocked until `until` (the clock's seconds); 0 unblocks it. */
export interface Block {
  key: string;
  until: number;
}

const MAX_BLOCKS = 100_000;

export class SharedAttempts {
  readonly #counter = new MemoryAttemptCounter();
  /** What every worker has been told, so that a worker (re)started later learns it too. */
  readonly #blocks = new Map<string, number>();
  readonly #broadcast: (block: Block) => void;

  constructor(broadcast: (block: Block) => void) {
    this.#broadcast = broadcast;
  }

  waitFor(key: string, now: number): Promise<number> {
    return this.#counter.waitFor(key, now);
  }

  async recordFailure(key: string, policy: ThrottlePolicy, now: number): Promise<void> {
    await this.#counter.recordFailure(key, policy, now);
    const wait = await this.#counter.waitFor(key, now);
    if (wait > 0) this.#tell({ key, until: now + wait });
  }

  async clear(key: string): Promise<void> {
    await this.#counter.clear(key);
    if (this.#blocks.has(key)) this.#tell({ key, until: 0 });
  }

  /** The blocks still in force, for a worker that has just started. */
  current(now: number): Block[] {
    const blocks: Block[] = [];
    for (const [key, until] of this.#blocks) {
      if (until > now) blocks.push({ key, until });
      else this.#blocks.delete(key);
    }
    return blocks;
  }

  #tell(block: Block): void {
    if (block.until === 0) this.#blocks.delete(block.key);
    else {
      if (this.#blocks.size >= MAX_BLOCKS) this.#blocks.delete(this.#blocks.keys().next().value as string);
      this.#blocks.delete(block.key);
      this.#blocks.set(block.key, block.until);
    }
    this.#broadcast(block);
  }
}
