/**
 * Single-consumer async queue between the stream reader and whoever iterates
 * the driver's events. The producer awaits `waitForRoom()` above the high-water
 * mark, so a slow consumer slows reading from the socket instead of growing
 * memory without bound.
 */
export class EventQueue<T> implements AsyncIterable<T> {
  readonly #highWaterMark: number;
  #items: T[] = [];
  #head = 0;
  #ended = false;
  #iterating = false;
  #wakeConsumer: (() => void) | undefined;
  #wakeProducer: (() => void) | undefined;

  constructor(highWaterMark: number) {
    this.#highWaterMark = Math.max(1, highWaterMark);
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  get ended(): boolean {
    return this.#ended;
  }

  push(item: T): void {
    if (this.#ended) return;
    this.#items.push(item);
    this.#wake('consumer');
  }

  /** No more items; the consumer finishes after draining what is queued. */
  end(): void {
    this.#ended = true;
    this.#wake('consumer');
    this.#wake('producer');
  }

  async waitForRoom(): Promise<void> {
    while (!this.#ended && this.size >= this.#highWaterMark) {
      await new Promise<void>((resolve) => {
        this.#wakeProducer = resolve;
      });
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    this.#claim();
    try {
      while (await this.#hasItems()) yield this.#take(1)[0]!;
    } finally {
      this.#release();
    }
  }

  /**
   * The same items in batches, for a consumer that works per batch: each batch waits for its
   * first item, then for the end of the current event-loop turn, and takes what is queued by then
   * (up to `max`). One wait per batch instead of several promises per item, which at 100,000
   * status updates is a good part of the consumer's time.
   */
  async *batches(max: number): AsyncGenerator<T[], void, undefined> {
    this.#claim();
    try {
      while (await this.#hasItems()) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        yield this.#take(Math.max(1, max));
      }
    } finally {
      this.#release();
    }
  }

  #claim(): void {
    if (this.#iterating) throw new Error('EventQueue supports a single consumer');
    this.#iterating = true;
  }

  /** The consumer went away: nobody will drain the queue, so stop accepting items rather than let the producer block (or buffer) forever. */
  #release(): void {
    this.#iterating = false;
    this.#items = [];
    this.#head = 0;
    this.end();
  }

  /** Waits until an item is queued; false once the queue has ended and is drained. */
  async #hasItems(): Promise<boolean> {
    while (this.size === 0) {
      if (this.#ended) return false;
      await new Promise<void>((resolve) => {
        this.#wakeConsumer = resolve;
      });
    }
    return true;
  }

  /** Up to `count` items off the head, in order; wakes a producer held at the high-water mark. */
  #take(count: number): T[] {
    const end = this.#head + Math.min(count, this.size);
    const taken = this.#items.slice(this.#head, end);
    this.#items.fill(undefined as T, this.#head, end);
    this.#head = end;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    if (this.size < this.#highWaterMark) this.#wake('producer');
    return taken;
  }

  #wake(who: 'consumer' | 'producer'): void {
    const wake = who === 'consumer' ? this.#wakeConsumer : this.#wakeProducer;
    if (who === 'consumer') this.#wakeConsumer = undefined;
    else this.#wakeProducer = undefined;
    wake?.();
  }
}
