/**
 * The order Mesos needs between scheduler calls, without a round trip per call.
 *
 * Mesos orders calls only within one connection, and a pooled client spreads concurrent
 * requests over several; what it answers (202) it has already handed to its allocator, in
 * order. So "answered" is the only order a client can rely on across connections.
 *
 * - ACCEPT and DECLINE (offer calls) are independent of each other: each names its own offers,
 *   and an offer is used or declined exactly once. They run concurrently (up to
 *   `maxConcurrent`), so a round over N agents costs about one round trip, not N.
 * - SUPPRESS, REVIVE and UPDATE_FRAMEWORK (barriers) change what filters and suppression hold
 *   for the whole framework. A barrier is sent only once every call submitted before it was
 *   answered (or failed), and no call submitted after it is sent before it was answered. Hence a
 *   DECLINE with a refuse filter can never overtake a later REVIVE (which clears the filters,
 *   and whose effect the DECLINE would otherwise undo), an ACCEPT's filter lands before a
 *   later SUPPRESS/REVIVE, and barriers keep their relative order.
 *
 * A failed call does not hold up the calls behind it; its caller sees the failure.
 */
export class OrderedCalls {
  readonly #maxConcurrent: number;
  /** Settles when the latest barrier was answered or failed. */
  #barrier: Promise<unknown> = Promise.resolve();
  /** Offer calls submitted since the latest barrier, settling when answered or failed. */
  #sinceBarrier = new Set<Promise<unknown>>();
  #running = 0;
  readonly #waitingForSlot: Array<() => void> = [];
  #depth = 0;

  constructor(opts: { maxConcurrent?: number } = {}) {
    this.#maxConcurrent = Math.max(1, opts.maxConcurrent ?? 64);
  }

  /** Calls submitted and not yet answered or failed. */
  get depth(): number {
    return this.#depth;
  }

  /** An offer call: after the barrier before it, alongside other offer calls. */
  concurrent<T>(task: () => Promise<T>): Promise<T> {
    this.#depth += 1;
    const result = this.#barrier
      .then(() => this.#withSlot(task))
      .finally(() => {
        this.#depth -= 1;
      });
    const sinceBarrier = this.#sinceBarrier;
    const settled: Promise<unknown> = result.then(
      () => sinceBarrier.delete(settled),
      () => sinceBarrier.delete(settled),
    );
    sinceBarrier.add(settled);
    return result;
  }

  /** A barrier call: after every call before it; every call after it waits for its answer. */
  barrier<T>(task: () => Promise<T>): Promise<T> {
    this.#depth += 1;
    const before = Promise.all([this.#barrier, ...this.#sinceBarrier]);
    this.#sinceBarrier = new Set();
    const result = before.then(task).finally(() => {
      this.#depth -= 1;
    });
    this.#barrier = result.catch(() => undefined);
    return result;
  }

  async #withSlot<T>(task: () => Promise<T>): Promise<T> {
    // A finishing call hands its slot straight to the next waiting one.
    if (this.#running >= this.#maxConcurrent) await new Promise<void>((resolve) => this.#waitingForSlot.push(resolve));
    else this.#running += 1;
    try {
      return await task();
    } finally {
      const next = this.#waitingForSlot.shift();
      if (next) next();
      else this.#running -= 1;
    }
  }
}
