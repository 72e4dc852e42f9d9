/**
 * Resource fit and allocation for one task on one agent group, in milli-units and range sets.
 * `missingResources` reports every short dimension (not just the first); `allocate` takes the
 * resources out of the group and returns the exact Mesos resources for TaskInfo.resources.
 */
import type { OfferBook } from './agents.js';
import { rangesFromValues, removeValue, rangeContains, toMesosRanges, type RangeSet } from './ranges.js';
import { REASON_BIT } from './reasons.js';
import type { ProfileView } from './roles.js';
import type { SeededRandom } from './rng.js';
import type { MesosResource } from './types.js';
import { CPUS, DISK, fromMilli, GPUS, MEM } from './units.js';

/** One task's needs, compiled once per request. */
export interface Demand {
  /** Dimensions with a non-zero need, and the need in milli-units. */
  readonly dims: Int32Array;
  readonly amounts: Float64Array;
  /** Per declared port: the fixed host port, or 0 for a dynamic one. */
  readonly hostPorts: readonly number[];
  readonly fixedPorts: readonly number[];
  readonly dynamicPorts: number;
}

function reasonForDim(dim: number): number {
  switch (dim) {
    case CPUS:
      return REASON_BIT.InsufficientCpus;
    case MEM:
      return REASON_BIT.InsufficientMemory;
    case DISK:
      return REASON_BIT.InsufficientDisk;
    case GPUS:
      return REASON_BIT.InsufficientGpus;
    default:
      return REASON_BIT.InsufficientResources;
  }
}

/** Reason bits for everything the group lacks for one task; 0 when it fits. */
export function missingResources(book: OfferBook, view: ProfileView, g: number, demand: Demand): number {
  let mask = 0;
  const base = g * view.dimCount;
  const { dims, amounts } = demand;
  for (let i = 0; i < dims.length; i++) {
    if (view.avail[base + dims[i]!]! < amounts[i]!) mask |= reasonForDim(dims[i]!);
  }
  const portCount = demand.hostPorts.length;
  if (portCount > 0) {
    if (view.portsFree[g]! < portCount) mask |= REASON_BIT.InsufficientPorts;
    else if (demand.fixedPorts.length > 0 && !fixedPortsFree(book, view, g, demand.fixedPorts)) mask |= REASON_BIT.InsufficientPorts;
  }
  return mask;
}

function fixedPortsFree(book: OfferBook, view: ProfileView, g: number, ports: readonly number[]): boolean {
  const { portStart, portEnd } = book.groups[g]!;
  outer: for (const port of ports) {
    for (let pe = portStart; pe < portEnd; pe++) {
      if (view.portUsable[pe] && rangeContains(book.portFree[pe]!, port)) continue outer;
    }
    return false;
  }
  return true;
}

export interface Allocation {
  readonly resources: MesosResource[];
  readonly hostPorts: number[];
}

/**
 * Take one task's resources from group `g` (which must fit) as seen by `view`, updating every
 * profile view. Scalars are taken from entries in offer order; dynamic ports start at a seeded
 * random position and run consecutively (Marathon does the same, to avoid reusing ports at once).
 */
export function allocate(
  book: OfferBook,
  views: readonly ProfileView[],
  view: ProfileView,
  g: number,
  demand: Demand,
  rng: SeededRandom,
): Allocation {
  const group = book.groups[g]!;
  const resources: MesosResource[] = [];
  const { dims, amounts } = demand;
  for (let i = 0; i < dims.length; i++) {
    const dim = dims[i]!;
    let need = amounts[i]!;
    for (let e = group.entryStart; e < group.entryEnd && need > 0; e++) {
      if (book.entryDim[e] !== dim || !view.entryUsable[e]) continue;
      const take = Math.min(need, book.entryRemaining[e]!);
      if (take <= 0) continue;
      need -= take;
      book.entryRemaining[e] = book.entryRemaining[e]! - take;
      for (const v of views) if (v.entryUsable[e]) v.avail[g * v.dimCount + dim] -= take;
      if (dim === CPUS) book.groupCpus[g] -= take;
      else if (dim === MEM) book.groupMem[g] -= take;
      resources.push({ ...book.entryResource[e]!, scalar: { value: fromMilli(take) } });
    }
  }
  const hostPorts = demand.hostPorts.length > 0 ? allocatePorts(book, views, view, g, demand, rng, resources) : [];
  return { resources, hostPorts };
}

function allocatePorts(
  book: OfferBook,
  views: readonly ProfileView[],
  view: ProfileView,
  g: number,
  demand: Demand,
  rng: SeededRandom,
  resources: MesosResource[],
): number[] {
  const { portStart, portEnd } = book.groups[g]!;
  // Parallel lists: port entry and port, in the order taken.
  const entries: number[] = [];
  const taken: number[] = [];
  const take = (pe: number, port: number) => {
    removeValue(book.portFree[pe]!, port);
    for (const v of views) if (v.portUsable[pe]) v.portsFree[g] -= 1;
    entries.push(pe);
    taken.push(port);
  };
  for (const port of demand.fixedPorts) {
    for (let pe = portStart; pe < portEnd; pe++) {
      if (view.portUsable[pe] && rangeContains(book.portFree[pe]!, port)) {
        take(pe, port);
        break;
      }
    }
  }
  const firstDynamic = taken.length;
  if (demand.dynamicPorts > 0) pickConsecutive(book, view, g, demand.dynamicPorts, rng, take);
  for (let pe = portStart; pe < portEnd; pe++) {
    let ports: number[] | undefined;
    for (let i = 0; i < entries.length; i++) if (entries[i] === pe) (ports ??= []).push(taken[i]!);
    if (ports) resources.push({ ...book.portResource[pe]!, ranges: { range: toMesosRanges(rangesFromValues(ports)) } });
  }
  const hostPorts = demand.hostPorts.slice();
  let next = firstDynamic;
  for (let i = 0; i < hostPorts.length; i++) if (hostPorts[i] === 0) hostPorts[i] = taken[next++]!;
  return hostPorts;
}

/**
 * Take `count` free ports starting at a random offset of the usable ports, wrapping around.
 * Positions are located first and taken afterwards, so splitting intervals cannot shift them.
 */
function pickConsecutive(
  book: OfferBook,
  view: ProfileView,
  g: number,
  count: number,
  rng: SeededRandom,
  take: (pe: number, port: number) => void,
): void {
  const { portStart, portEnd } = book.groups[g]!;
  let offset = rng.below(view.portsFree[g]!);
  let ei = portStart;
  let set: RangeSet = book.portFree[ei]!;
  let ii = 0;
  search: for (ei = portStart; ei < portEnd; ei++) {
    if (!view.portUsable[ei]) continue;
    set = book.portFree[ei]!;
    for (ii = 0; ii < set.length; ii += 2) {
      const size = set[ii + 1]! - set[ii]! + 1;
      if (offset < size) break search;
      offset -= size;
    }
  }
  const pickedEntries: number[] = [];
  const pickedPorts: number[] = [];
  let value = set[ii]! + offset;
  for (;;) {
    pickedEntries.push(ei);
    pickedPorts.push(value);
    if (pickedPorts.length === count) break;
    if (value < set[ii + 1]!) {
      value++;
      continue;
    }
    ii += 2;
    while (ii >= set.length) {
      do ei = ei + 1 >= portEnd ? portStart : ei + 1;
      while (!view.portUsable[ei]);
      set = book.portFree[ei]!;
      ii = 0;
    }
    value = set[ii]!;
  }
  for (let i = 0; i < count; i++) take(pickedEntries[i]!, pickedPorts[i]!);
}
