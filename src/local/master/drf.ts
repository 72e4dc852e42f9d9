import type { ResourceBag } from './resources.js';

/**
 * Dominant Resource Fairness shares. A client's dominant share is the largest fraction it holds
 * of any scalar resource in the cluster (cpus, mem, disk, gpus, ...).
 *
 * Quantities are Float64Arrays indexed by `scalarIndex(name)` rather than name-keyed maps: a full
 * pass tracks one allocation per offer, and map updates of large sums (memory in thousandths of
 * MB exceeds V8's small-integer range) would allocate a heap number each time.
 * Shares are cached per client and recomputed only when its allocation or the totals changed.
 */

/** Room for the usual scalars (cpus, mem, disk, gpus, ...) before a vector has to grow. */
const INITIAL_SCALARS = 8;

/** Cluster totals in thousandths by scalar index, owned by the allocator and shared by its
 * `DrfShares`. */
export class ScalarTotals {
  milli: Float64Array = new Float64Array(INITIAL_SCALARS);
  /** Bumped on every change, which makes every cached share stale. */
  version = 0;

  add(bag: ResourceBag, sign: 1 | -1): void {
    this.milli = addPairs(this.milli, bag, sign);
    this.version++;
  }
}

/** One client's allocation and cached share. The object is stable for as long as the client is
 * tracked, so hot loops hold on to it instead of looking the client up by name. */
export class ShareCell {
  milli: Float64Array = new Float64Array(INITIAL_SCALARS);
  share = 0;
  /** `ScalarTotals.version` the share was computed against; -1 after the allocation changed. */
  computedAt = -1;
}

/** Adds the bag's scalars into `into`, growing it when a new scalar name appears; returns it. */
function addPairs(into: Float64Array, bag: ResourceBag, sign: 1 | -1): Float64Array {
  const pairs = bag.scalarPairs();
  let vector = into;
  for (let i = 0; i < pairs.length; i += 2) {
    const index = pairs[i]!;
    if (index >= vector.length) {
      const grown = new Float64Array(Math.max(index + 1, vector.length * 2));
      grown.set(vector);
      vector = grown;
    }
    // Amounts never go below zero, as upstream drops quantities that are used up.
    vector[index] = Math.max(0, vector[index]! + sign * pairs[i + 1]!);
  }
  return vector;
}

export class DrfShares {
  private readonly cells = new Map<string, ShareCell>();

  constructor(private readonly totals: ScalarTotals) {}

  /** The client's cell, created empty on first use. */
  cell(client: string): ShareCell {
    let cell = this.cells.get(client);
    if (cell === undefined) {
      cell = new ShareCell();
      this.cells.set(client, cell);
    }
    return cell;
  }

  /** Adds (`sign` 1) or removes (-1) scalar quantities for a client. */
  track(client: string | ShareCell, resources: ResourceBag, sign: 1 | -1): void {
    const cell = typeof client === 'string' ? this.cell(client) : client;
    cell.milli = addPairs(cell.milli, resources, sign);
    cell.computedAt = -1;
  }

  share(client: string): number {
    const cell = this.cells.get(client);
    return cell === undefined ? 0 : this.shareOf(cell);
  }

  shareOf(cell: ShareCell): number {
    const version = this.totals.version;
    if (cell.computedAt === version) return cell.share;
    let dominant = 0;
    const totals = this.totals.milli;
    const held = cell.milli;
    for (let i = 0; i < held.length; i++) {
      const total = i < totals.length ? totals[i]! : 0;
      if (total > 0 && held[i]! > 0) dominant = Math.max(dominant, held[i]! / total);
    }
    cell.share = dominant;
    cell.computedAt = version;
    return dominant;
  }

  forget(client: string): void {
    this.cells.delete(client);
  }
}
