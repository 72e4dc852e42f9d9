/**
 * Runs tasks one at a time in submission order. Mesos orders calls only within
 * one connection, and a pooled client may spread concurrent requests over
 * several, so order-sensitive calls (ACCEPT, DECLINE, SUPPRESS, REVIVE,
 * UPDATE_FRAMEWORK) wait for the previous one to be answered.
 */
export class SerialLane {
  #tail: Promise<unknown> = Promise.resolve();
  #depth = 0;

  /** Tasks queued or running. */
  get depth(): number {
    return this.#depth;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.#depth += 1;
    const result = this.#tail.then(task).finally(() => {
      this.#depth -= 1;
    });
    // A failed task must not block the ones behind it; its caller sees the failure.
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
