/**
 * Resource fit and allocation for one task on one agent group, in milli-units and range sets.
 * `missingResources` reports every short dimension (not just the first); `allocate` takes the
 * resources out of the group and returns the exact Mesos resources for TaskInfo.resources.
 */
import type { OfferBook } from './agents.js';
import { removeValue, rangeContains, type RangeSet } from './ranges.js';
import { REASON_BIT } from './reasons.js';
import type { ProfileView } from './roles.js';
import type { SeededRandom } from './rng.js';
import type { MesosRange, MesosResource } from './types.js';
import { CPUS, DISK, GPUS, MEM } from './units.js';

/** One task's needs, compiled once per request. */
export interface Demand {
  /** Dimensions with a non-zero need, and the need in milli-units. */
  readonly dims: Int32Array;
  readonly amounts: Float64Array;
  /** Per declared port: the fixed host port, or 0 for a dynamic one. */
  readonly hostPorts: readonly number[];
  readonly fixedPorts: readonly number[];
  readonly dynamicPorts: number;
  /** Host ports an instance of this app just failed on; dynamic picks steer clear of them. */
  readonly avoidPorts: readonly number[];
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

/**
 * Port entries and ports taken for the task being placed: reused, as one task is placed at a
 * time (typed arrays with a count, since emptying an array by `length = 0` drops its storage).
 */
let takenEntries = new Int32Array(64);
let takenPorts = new Int32Array(64);
let takenCount = 0;

function pushTaken(pe: number, port: number): void {
  if (takenCount === takenPorts.length) {
    const entries = new Int32Array(takenCount * 2);
    const ports = new Int32Array(takenCount * 2);
    entries.set(takenEntries);
    ports.set(takenPorts);
    takenEntries = entries;
    takenPorts = ports;
  }
  takenEntries[takenCount] = pe;
  takenPorts[takenCount] = port;
  takenCount++;
}

/**
 * Take one task's resources from group `g` (which must fit) as seen by `view`, updating every
 * profile view, and return the exact Mesos resources. `hostPorts` (as long as the demand's host
 * ports) receives the task's host ports in declared order: fixed ones as declared, dynamic ones
 * as picked. Scalars are
 * taken from entries in offer order; dynamic ports start at a seeded random position and run
 * consecutively (Marathon does the same, to avoid reusing ports at once).
 */
export function allocate(
  book: OfferBook,
  views: readonly ProfileView[],
  view: ProfileView,
  g: number,
  demand: Demand,
  rng: SeededRandom,
  hostPorts: number[],
): MesosResource[] {
  const group = book.groups[g]!;
  const { dims, amounts } = demand;
  sliceCount = 0;
  for (let i = 0; i < dims.length; i++) {
    const dim = dims[i]!;
    let need = amounts[i]!;
    for (let e = group.entryStart; e < group.entryEnd && need > 0; e++) {
      if (book.entryDim[e] !== dim || !view.entryUsable[e]) continue;
      const take = Math.min(need, book.entryRemaining[e]!);
      if (take <= 0) continue;
      need -= take;
      book.entryRemaining[e] = book.entryRemaining[e]! - take;
      for (let v = 0; v < views.length; v++) {
        const other = views[v]!;
        const slot = g * other.dimCount + dim;
        if (other.entryUsable[e]) other.avail[slot] = other.avail[slot]! - take;
      }
      if (dim === CPUS) book.groupCpus[g] = book.groupCpus[g]! - take;
      else if (dim === MEM) book.groupMem[g] = book.groupMem[g]! - take;
      slices[sliceCount++] = book.scalarSlice(e, take);
    }
  }
  if (demand.hostPorts.length > 0) allocatePorts(book, views, view, g, demand, rng, hostPorts);
  // Sized exactly once: growing an array by push would over-allocate its backing store.
  const resources = new Array<MesosResource>(sliceCount);
  for (let i = 0; i < sliceCount; i++) {
    resources[i] = slices[i]!;
    slices[i] = undefined;
  }
  return resources;
}

/** Launch resources of the task being placed, before they are copied into its own array. */
const slices: (MesosResource | undefined)[] = [];
let sliceCount = 0;

function takePort(book: OfferBook, views: readonly ProfileView[], g: number, pe: number, port: number): void {
  removeValue(book.portFree[pe]!, port);
  for (let v = 0; v < views.length; v++) {
    const other = views[v]!;
    if (other.portUsable[pe]) other.portsFree[g] = other.portsFree[g]! - 1;
  }
  pushTaken(pe, port);
}

function allocatePorts(
  book: OfferBook,
  views: readonly ProfileView[],
  view: ProfileView,
  g: number,
  demand: Demand,
  rng: SeededRandom,
  hostPorts: number[],
): void {
  const { portStart, portEnd } = book.groups[g]!;
  takenCount = 0;
  for (const port of demand.fixedPorts) {
    for (let pe = portStart; pe < portEnd; pe++) {
      if (view.portUsable[pe] && rangeContains(book.portFree[pe]!, port)) {
        takePort(book, views, g, pe, port);
        break;
      }
    }
  }
  const firstDynamic = takenCount;
  if (demand.dynamicPorts > 0) pickConsecutive(book, views, view, g, demand.dynamicPorts, rng, demand.avoidPorts);
  const taken = takenCount;
  for (let pe = portStart; pe < portEnd; pe++) {
    let count = 0;
    for (let i = 0; i < taken; i++) if (takenEntries[i] === pe) count++;
    if (count > 0) slices[sliceCount++] = { ...book.portResource[pe]!, ranges: { range: portRanges(pe, count) } };
  }
  let next = firstDynamic;
  const declared = demand.hostPorts;
  for (let i = 0; i < declared.length; i++) hostPorts[i] = declared[i] === 0 ? takenPorts[next++]! : declared[i]!;
}

/** Ports of the task being placed that sit in one entry, sorted. */
let entryPorts = new Int32Array(64);

/** The `count` ports taken from entry `pe` as sorted, merged Mesos ranges. */
function portRanges(pe: number, count: number): MesosRange[] {
  if (count === 1) {
    const port = takenPorts[takenEntries.indexOf(pe)]!;
    return [{ begin: port, end: port }];
  }
  if (entryPorts.length < count) entryPorts = new Int32Array(count * 2);
  let n = 0;
  for (let i = 0; i < takenCount; i++) {
    if (takenEntries[i] !== pe) continue;
    // Insertion sort: a task holds a handful of ports, mostly in order already.
    const port = takenPorts[i]!;
    let k = n++;
    while (k > 0 && entryPorts[k - 1]! > port) {
      entryPorts[k] = entryPorts[k - 1]!;
      k--;
    }
    entryPorts[k] = port;
  }
  // Count the merged runs first, so the output array is allocated at its final size.
  let runs = 1;
  for (let i = 1; i < n; i++) if (entryPorts[i]! !== entryPorts[i - 1]! + 1) runs++;
  const out = new Array<MesosRange>(runs);
  let r = 0;
  let begin = entryPorts[0]!;
  let end = begin;
  for (let i = 1; i < n; i++) {
    const port = entryPorts[i]!;
    if (port === end + 1) end = port;
    else {
      out[r++] = { begin, end };
      begin = end = port;
    }
  }
  out[r] = { begin, end };
  return out;
}

/**
 * Take `count` free ports starting at a random offset of the usable ports, wrapping around.
 * Positions are located first and taken afterwards, so splitting intervals cannot shift them.
 * A run holding one of `avoid` starts again just past the avoided port, until a clean run is
 * found or every start was passed (then the random run is taken after all).
 */
function pickConsecutive(
  book: OfferBook,
  views: readonly ProfileView[],
  view: ProfileView,
  g: number,
  count: number,
  rng: SeededRandom,
  avoid: readonly number[],
): void {
  const start = takenCount;
  const free = view.portsFree[g]!;
  const first = rng.below(free);
  locateRun(book, view, g, count, first);
  let shift = 0;
  for (let hit = lastAvoided(start, avoid); hit >= 0; hit = lastAvoided(start, avoid)) {
    takenCount = start;
    shift += hit - start + 1;
    if (shift >= free) {
      locateRun(book, view, g, count, first);
      break;
    }
    locateRun(book, view, g, count, (first + shift) % free);
  }
  // Located above, now taken: a run inside one interval shrinks it once per port.
  for (let i = start; i < start + count; i++) {
    const pe = takenEntries[i]!;
    const port = takenPorts[i]!;
    removeValue(book.portFree[pe]!, port);
    for (let v = 0; v < views.length; v++) {
      const other = views[v]!;
      if (other.portUsable[pe]) other.portsFree[g] = other.portsFree[g]! - 1;
    }
  }
}

/** Pushes the positions of `count` free ports from the `at`-th usable free port, without taking them. */
function locateRun(book: OfferBook, view: ProfileView, g: number, count: number, at: number): void {
  const { portStart, portEnd } = book.groups[g]!;
  let offset = at;
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
  const start = takenCount;
  let value = set[ii]! + offset;
  for (;;) {
    pushTaken(ei, value);
    if (takenCount - start === count) break;
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
}

/** Position in the taken list of the last port from `from` on that is in `ports`, or -1. */
function lastAvoided(from: number, ports: readonly number[]): number {
  if (ports.length === 0) return -1;
  for (let i = takenCount - 1; i >= from; i--) if (ports.includes(takenPorts[i]!)) return i;
  return -1;
}
