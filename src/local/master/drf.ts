import type { ResourceBag } from './resources.js';

/**
 * Dominant Resource Fairness shares. A client's dominant share is the largest fraction it holds
 * of any scalar resource in the cluster (cpus, mem, disk, gpus, ...). Shares are cached and
 * recomputed only for clients whose allocation changed, so a pass over many agents stays cheap.
 */
export class DrfShares {
  private readonly allocations = new Map<string, Map<string, number>>();
  private readonly cache = new Map<string, number>();

  /** `totals` is the cluster's scalar totals (name -> thousandths), owned by the caller. */
  constructor(private readonly totals: ReadonlyMap<string, number>) {}

  /** Adds (`sign` 1) or removes (-1) scalar quantities for a client. */
  track(client: string, resources: ResourceBag, sign: 1 | -1): void {
    let alloc = this.allocations.get(client);
    if (alloc === undefined) {
      alloc = new Map();
      this.allocations.set(client, alloc);
    }
    resources.accumulateScalars(alloc, sign);
    for (const [name, milli] of alloc) if (milli <= 0) alloc.delete(name);
    if (alloc.size === 0) this.allocations.delete(client);
    this.cache.delete(client);
  }

  share(client: string): number {
    const cached = this.cache.get(client);
    if (cached !== undefined) return cached;
    let dominant = 0;
    const alloc = this.allocations.get(client);
    if (alloc !== undefined) {
      for (const [name, milli] of alloc) {
        const total = this.totals.get(name) ?? 0;
        if (total > 0) dominant = Math.max(dominant, milli / total);
      }
    }
    this.cache.set(client, dominant);
    return dominant;
  }

  allocation(client: string): ReadonlyMap<string, number> {
    return this.allocations.get(client) ?? new Map();
  }

  /** The cluster totals changed: every cached share is stale. */
  invalidate(): void {
    this.cache.clear();
  }

  forget(client: string): void {
    this.allocations.delete(client);
    this.cache.delete(client);
  }
}
