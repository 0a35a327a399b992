/**
 * Random bytes drawn from the system in blocks, as node:crypto's randomUUID does: one
 * randomFillSync per block instead of one call (and one buffer) per token or id, which
 * CPU profiles of token issuance showed. The bytes are the same CSPRNG's; they only
 * wait in memory until taken, and each is handed out once.
 */
import { randomFillSync } from 'node:crypto';

export class RandomPool {
  readonly #block: Buffer;
  #offset: number;

  /** `blockSize`: bytes drawn at a time (a multiple of what callers take, so none is wasted). */
  constructor(blockSize: number) {
    this.#block = Buffer.alloc(blockSize);
    this.#offset = blockSize;
  }

  /** `count` fresh random bytes, as a view that the next call may overwrite: use or copy them at once. */
  take(count: number): Buffer {
    if (this.#offset + count > this.#block.length) {
      randomFillSync(this.#block);
      this.#offset = 0;
    }
    const bytes = this.#block.subarray(this.#offset, this.#offset + count);
    this.#offset += count;
    return bytes;
  }
}
