/**
 * Typed-array scratch space kept from one round to the next. A round needs many per-agent and
 * per-request arrays (index links, reason masks, counters); taking them as views of one reused
 * buffer means a round allocates no ArrayBuffers, which V8 counts as external memory and answers
 * with full collections. `match()` is synchronous and nothing a round returns refers to scratch
 * memory, so views are only valid until the round ends.
 */
const INITIAL_WORDS = 1 << 16;

class Arena<T extends Int32Array | Uint32Array | Float64Array | Uint8Array> {
  readonly #make: (length: number) => T;
  #buffer: T;
  #used = 0;

  constructor(make: (length: number) => T) {
    this.#make = make;
    this.#buffer = make(INITIAL_WORDS);
  }

  reset(): void {
    this.#used = 0;
  }

  /** A zeroed view of `length` words. */
  take(length: number): T {
    if (this.#used + length > this.#buffer.length) {
      // Views handed out earlier keep the old buffer alive until the round ends.
      this.#buffer = this.#make(Math.max(this.#buffer.length * 2, length));
      this.#used = 0;
    }
    const view = this.#buffer.subarray(this.#used, this.#used + length) as T;
    this.#used += length;
    view.fill(0);
    return view;
  }
}

export class ScratchPool {
  readonly #int32 = new Arena((n) => new Int32Array(n));
  readonly #uint32 = new Arena((n) => new Uint32Array(n));
  readonly #float64 = new Arena((n) => new Float64Array(n));
  readonly #uint8 = new Arena((n) => new Uint8Array(n));
  #busy = false;

  int32(length: number): Int32Array {
    return this.#int32.take(length);
  }

  uint32(length: number): Uint32Array {
    return this.#uint32.take(length);
  }

  float64(length: number): Float64Array {
    return this.#float64.take(length);
  }

  uint8(length: number): Uint8Array {
    return this.#uint8.take(length);
  }

  /** Start a round; a pool already in use (a round inside a round) yields a private one. */
  static acquire(): ScratchPool {
    const pool = SHARED.#busy ? new ScratchPool() : SHARED;
    pool.#busy = true;
    pool.#int32.reset();
    pool.#uint32.reset();
    pool.#float64.reset();
    pool.#uint8.reset();
    return pool;
  }

  release(): void {
    this.#busy = false;
  }
}

const SHARED = new ScratchPool();
