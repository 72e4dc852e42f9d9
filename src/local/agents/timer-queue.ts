/**
 * Many logical timers on one Node timer: a min-heap ordered by due time, with a single
 * setTimeout armed for the earliest entry. Thousands of simulated tasks then cost heap entries,
 * not timer handles, and everything due at the same moment runs in one batch.
 */
export interface TimerHandle {
  cancel(): void;
}

interface Entry {
  readonly due: number;
  readonly sequence: number;
  readonly run: () => void;
  cancelled: boolean;
}

export class TimerQueue {
  private readonly heap: Entry[] = [];
  private sequence = 0;
  private live = 0;
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Number.POSITIVE_INFINITY;

  constructor(private readonly now: () => number = Date.now) {}

  /** Number of scheduled callbacks that have neither run nor been cancelled. */
  get pending(): number {
    return this.live;
  }

  schedule(delayMs: number, run: () => void): TimerHandle {
    const entry: Entry = { due: this.now() + Math.max(0, delayMs), sequence: this.sequence++, run, cancelled: false };
    this.push(entry);
    this.live += 1;
    if (entry.due < this.armedFor) this.arm(entry.due);
    return {
      cancel: () => {
        if (entry.cancelled) return;
        entry.cancelled = true;
        this.live -= 1;
        if (this.live === 0) this.clear();
      },
    };
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = this.now();
    while (this.heap.length > 0 && this.heap[0]!.due <= now) {
      const entry = this.pop()!;
      if (entry.cancelled) continue;
      entry.cancelled = true;
      this.live -= 1;
      try {
        entry.run();
      } catch (error) {
        // One failing callback must not strand the others; surface it outside the batch.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    this.dropCancelledHead();
    if (this.heap.length > 0) this.arm(this.heap[0]!.due);
  }

  private arm(due: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.armedFor = due;
    this.timer = setTimeout(() => this.fire(), Math.max(0, due - this.now()));
  }

  private clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    this.heap.length = 0;
  }

  private dropCancelledHead(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): Entry | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
        i = smallest;
      }
    }
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.due < b.due || (a.due === b.due && a.sequence < b.sequence);
}

/** The queue simulated agents share unless given their own. */
export const sharedTimerQueue = new TimerQueue();
