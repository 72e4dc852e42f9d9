import { Fifo } from './fifo.js';

/**
 * A cap on async work in flight (health probes, ACKNOWLEDGE calls): at most `limit` tasks run,
 * the rest wait in FIFO order and start only when they get a slot, so a queued task's own timeout
 * does not run while it waits.
 */
export class ConcurrencyLimiter {
  readonly limit: number;
  #inFlight = 0;
  readonly #waiting = new Fifo<() => void>();

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency limit must be a positive integer, got ${limit}`);
    this.limit = limit;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get queued(): number {
    return this.#waiting.size;
  }

  /** Runs `task` once a slot is free; the slot is held until its promise settles. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#inFlight >= this.limit) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#inFlight++;
    }
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      // The slot passes straight to the next waiter, so the count never dips and refills.
      if (next) next();
      else this.#inFlight--;
    }
  }
}
