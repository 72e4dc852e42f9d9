import { performance } from 'node:perf_hooks';

/**
 * Fires when a wait that was started with `arm()` is not ended by `disarm()` in time.
 * Built for a hot loop (arm/disarm around every record read): it keeps at most one
 * timer and re-checks the deadline lazily instead of resetting a timer per record.
 */
export class Watchdog {
  readonly #onExpire: () => void;
  #timer: NodeJS.Timeout | undefined;
  /** When the pending timer fires; a shorter new deadline needs a new timer. */
  #timerAt = 0;
  #deadline = 0;
  #waiting = false;

  constructor(onExpire: () => void) {
    this.#onExpire = onExpire;
  }

  arm(timeoutMs: number): void {
    this.#waiting = true;
    this.#deadline = performance.now() + timeoutMs;
    if (this.#timer === undefined || this.#deadline < this.#timerAt) this.#schedule(timeoutMs);
  }

  disarm(): void {
    this.#waiting = false;
  }

  stop(): void {
    this.#waiting = false;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #check(): void {
    this.#timer = undefined;
    if (!this.#waiting) return;
    const remaining = this.#deadline - performance.now();
    if (remaining <= 0) {
      this.#waiting = false;
      this.#onExpire();
    } else {
      this.#schedule(Math.ceil(remaining));
    }
  }

  #schedule(delayMs: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = performance.now() + delayMs;
    this.#timer = setTimeout(() => this.#check(), delayMs);
  }
}
