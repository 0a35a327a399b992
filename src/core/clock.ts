/** Time in whole seconds since the epoch, injectable so tests freeze it instead of sleeping. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Math.floor(Date.now() / 1000) };

/** A clock that only moves when told to. */
export class FrozenClock implements Clock {
  #t: number;
  constructor(start = 1_800_000_000) {
    this.#t = start;
  }
  now(): number {
    return this.#t;
  }
  advance(seconds: number): void {
    this.#t += seconds;
  }
}
