/**
 * A global cap on probes in flight. Thousands of instances share one limiter so that a check
 * round never opens more sockets than `limit`; the rest wait in FIFO order and start their own
 * timeout only when they get a slot (a queued probe must not time out while it never ran).
 */
import { HealthCheckError } from './errors.js';

export const DEFAULT_MAX_CONCURRENT_PROBES = 64;

export class ConcurrencyLimiter {
  readonly limit: number;
  #inFlight = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(limit: number = DEFAULT_MAX_CONCURRENT_PROBES) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new HealthCheckError('PACER_HEALTH_BAD_OPTION', `probe concurrency limit must be a positive integer, got ${limit}`);
    }
    this.limit = limit;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get queued(): number {
    return this.#waiting.length;
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
