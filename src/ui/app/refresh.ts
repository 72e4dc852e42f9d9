/// <reference lib="dom" />
/**
 * Debounced refresh: a burst of events (a deployment of 100 instances emits hundreds) becomes
 * one fetch. Requests within `quietMs` are merged; a steady stream still refreshes at least
 * every `maxWaitMs`; at most one fetch runs at a time and requests made meanwhile are merged
 * into the next one.
 */
export class DebouncedRefresh<Scope> {
  private pending: Scope[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private firstRequestAt = 0;
  private running = false;

  constructor(
    private readonly run: (scopes: Scope[]) => Promise<void>,
    private readonly quietMs = 150,
    private readonly maxWaitMs = 1000,
  ) {}

  request(scope: Scope): void {
    if (this.pending.length === 0) this.firstRequestAt = Date.now();
    this.pending.push(scope);
    if (this.running) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const waited = Date.now() - this.firstRequestAt;
    this.timer = setTimeout(() => void this.flush(), Math.max(0, Math.min(this.quietMs, this.maxWaitMs - waited)));
  }

  /** Runs now with whatever is pending (used on navigation). */
  async flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running || this.pending.length === 0) return;
    const scopes = this.pending;
    this.pending = [];
    this.running = true;
    try {
      await this.run(scopes);
    } finally {
      this.running = false;
      if (this.pending.length > 0) this.timer = setTimeout(() => void this.flush(), this.quietMs);
    }
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.pending = [];
  }
}
