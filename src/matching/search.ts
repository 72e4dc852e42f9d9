/**
 * Finding an agent for one instance and reserving it, inside the round's working view.
 *
 * A request walks a candidate index in strategy order (binpack: least left first; spread:
 * most left first). Requests with equal demand and equal static verdicts share one index, so an
 * agent that has become too small for that demand leaves it once for all of them. Each visited
 * agent passes, in this order (cheapest and most often decisive first):
 *   1. the per-agent launch cap;
 *   2. resources (typed-array compares) — a shortfall is permanent for this demand in this
 *      round, so the agent leaves the index;
 *   3. placement constraints (O(1) counter lookups) — a refusal concerns this request only, so
 *      in a shared index the agent is skipped, not removed.
 * The first agent that passes is chosen. A request that skips many agents (UNIQUE on big agents,
 * a GROUP_BY that allows few values) moves to a private index, built once from the shared one:
 * there UNIQUE/MAX_PER/CLUSTER refusals remove the agent for good and GROUP_BY looks only at
 * the partitions of the values its balance allows. Every agent leaves an index at most once,
 * so a walk is amortized O(1) per placement apart from bounded skips.
 *
 * Ranks are refreshed lazily: a placement re-ranks the agent in the placing request's index at
 * once, and in other indexes when a walk meets it. An agent only ever loses resources, so a
 * stale rank is too high: spread walks (top down) meet it early and push it down; binpack walks
 * (bottom up) meet it late but then try it at once, as it now ranks better than the rest.
 */
import type { OfferBook } from './agents.js';
import { BUCKETS, CandidateIndex } from './candidate-index.js';
import type { PlacementCounter } from './constraints/placement.js';
import { allocate, missingResources } from './fit.js';
import type { PreparedRequest } from './prepare.js';
import { REASON_BIT } from './reasons.js';
import type { ProfileView } from './roles.js';
import type { SeededRandom } from './rng.js';
import type { ScratchPool } from './scratch.js';
import type { TaskPlacement } from './types.js';

/** GROUP_BY fields with at most this many values get one index partition per value. */
const MAX_PARTITIONS = 64;
/** Constraint skips a request may make in a shared index before it gets a private one. */
const SKIP_ALLOWANCE = 64;
const SKIPS_PER_PLACEMENT = 8;

export class RequestState {
  readonly prepared: PreparedRequest;
  readonly view: ProfileView;
  readonly verdicts: Uint32Array;
  readonly counters: PlacementCounter[];
  /** Shared by requests with the same demand and static verdicts. */
  readonly sharedIndex: CandidateIndex;
  index: CandidateIndex;
  partitionBy: PlacementCounter | undefined;
  remaining: number;
  placed = 0;
  /** Constraint refusals met in the shared index. */
  skips = 0;
  /** Instances placed per group, and the groups used in first-use order. */
  readonly usedCount: Int32Array;
  readonly usedGroups: number[] = [];
  /** Reason bits per group for groups visited and turned down (0 = not turned down). */
  readonly rejected: Uint32Array;
  readonly #partitions: number[] = [];
  /** Shared by all of the request's tasks. */
  readonly portNames: (string | undefined)[];

  constructor(
    prepared: PreparedRequest,
    view: ProfileView,
    verdicts: Uint32Array,
    counters: PlacementCounter[],
    sharedIndex: CandidateIndex,
    pool: ScratchPool,
  ) {
    this.prepared = prepared;
    this.view = view;
    this.verdicts = verdicts;
    this.counters = counters;
    this.sharedIndex = sharedIndex;
    this.index = sharedIndex;
    this.partitionBy = undefined;
    this.remaining = prepared.count;
    this.usedCount = pool.int32(verdicts.length);
    this.rejected = pool.uint32(verdicts.length);
    this.portNames = (prepared.request.ports ?? []).map((port) => port.name);
  }

  get hasPrivateIndex(): boolean {
    return this.index !== this.sharedIndex;
  }

  /** Index partitions the request may look at now. */
  allowedPartitions(): readonly number[] {
    if (!this.partitionBy || this.index.partitions === 1) return SINGLE_PARTITION;
    const out = this.#partitions;
    out.length = 0;
    // Partition number = value id; id 0 (no such field) never satisfies GROUP_BY.
    for (let p = 1; p < this.index.partitions; p++) if (this.partitionBy.allows(p)) out.push(p);
    return out;
  }
}

const SINGLE_PARTITION: readonly number[] = [0];
const ACCEPT = 0;
const REJECT = 1;
/** Too many skips in a shared index: walk again in a private one. */
const PRIVATIZE = 2;
const NEEDS_PRIVATE_INDEX = -2;

export class Search {
  readonly #book: OfferBook;
  readonly #views: readonly ProfileView[];
  readonly #rng: SeededRandom;
  readonly #pool: ScratchPool;
  readonly #order: readonly number[];
  readonly #maxLaunches: number;
  readonly #maxCpus: number;
  readonly #maxMem: number;
  readonly launches: Int32Array;
  /** Smallest cpus and mem any request asks for: an agent with less left is useless to all. */
  readonly #minCpus: number;
  readonly #minMem: number;
  readonly tasks: (TaskPlacement[] | undefined)[];

  constructor(
    book: OfferBook,
    views: readonly ProfileView[],
    rng: SeededRandom,
    pool: ScratchPool,
    order: readonly number[],
    maxLaunches: number,
    minimum: { cpus: number; mem: number },
  ) {
    this.#minCpus = minimum.cpus;
    this.#minMem = minimum.mem;
    this.#book = book;
    this.#views = views;
    this.#rng = rng;
    this.#pool = pool;
    this.#order = order;
    this.#maxLaunches = maxLaunches;
    const groups = book.groups.length;
    this.launches = pool.int32(groups);
    this.tasks = new Array<TaskPlacement[] | undefined>(groups);
    let maxCpus = 0;
    let maxMem = 0;
    for (let g = 0; g < groups; g++) {
      maxCpus = Math.max(maxCpus, book.groupCpus[g]!);
      maxMem = Math.max(maxMem, book.groupMem[g]!);
    }
    this.#maxCpus = maxCpus;
    this.#maxMem = maxMem;
  }

  /** Rank by remaining cpus and mem relative to the biggest agent of the round. */
  bucketOf(g: number): number {
    const c = this.#maxCpus > 0 ? this.#book.groupCpus[g]! / this.#maxCpus : 0;
    const m = this.#maxMem > 0 ? this.#book.groupMem[g]! / this.#maxMem : 0;
    const b = Math.floor(((c + m) / 2) * (BUCKETS - 1));
    return b < 0 ? 0 : b >= BUCKETS ? BUCKETS - 1 : b;
  }

  /** A new shared index holding every statically eligible agent, in the round's order. */
  sharedIndex(verdicts: Uint32Array): CandidateIndex {
    const index = new CandidateIndex(this.#book.groups.length, null, 1, this.#pool);
    const order = this.#order;
    for (let i = 0; i < order.length; i++) {
      const g = order[i]!;
      if (verdicts[g] === 0) index.insert(g, this.bucketOf(g));
    }
    return index;
  }

  /** Every waiting request places one instance per turn, in input order, until none can. */
  placeRoundRobin(states: readonly RequestState[]): void {
    const active = states.filter((s) => s.remaining > 0);
    while (active.length > 0) {
      let kept = 0;
      for (let i = 0; i < active.length; i++) {
        const state = active[i]!;
        const g = this.findAgent(state);
        if (g < 0) continue;
        this.place(state, g);
        if (state.remaining > 0) active[kept++] = state;
      }
      active.length = kept;
    }
  }

  findAgent(state: RequestState): number {
    const g = this.#walk(state);
    if (g !== NEEDS_PRIVATE_INDEX) return g;
    this.#privatize(state);
    return this.#walk(state);
  }

  #walk(state: RequestState): number {
    const index = state.index;
    const up = state.prepared.strategy === 'binpack';
    const partitions = state.allowedPartitions();
    let from = up ? 0 : BUCKETS - 1;
    for (;;) {
      let bucket = -1;
      for (let pi = 0; pi < partitions.length; pi++) {
        const p = partitions[pi]!;
        const b = up ? index.bucketAtOrAbove(p, from) : index.bucketAtOrBelow(p, from);
        if (b >= 0 && (bucket < 0 || (up ? b < bucket : b > bucket))) bucket = b;
      }
      if (bucket < 0) return -1;
      for (let pi = 0; pi < partitions.length; pi++) {
        let g = index.first(partitions[pi]!, bucket);
        while (g >= 0) {
          const next = index.next(g);
          const actual = this.bucketOf(g);
          if (actual !== bucket) {
            index.move(g, actual);
            // Spread meets it again further down; binpack would have wanted it earlier.
            if (!up) {
              g = next;
              continue;
            }
          }
          const verdict = this.#check(state, g);
          if (verdict === ACCEPT) return g;
          if (verdict === PRIVATIZE) return NEEDS_PRIVATE_INDEX;
          g = next;
        }
      }
      from = up ? bucket + 1 : bucket - 1;
    }
  }

  #check(state: RequestState, g: number): number {
    const book = this.#book;
    if (book.groupCpus[g]! < this.#minCpus || book.groupMem[g]! < this.#minMem) {
      // Cheap early exit for agents nothing fits on any more; recorded like any shortfall.
      state.index.remove(g);
      state.rejected[g] = missingResources(book, state.view, g, state.prepared.demand);
      return REJECT;
    }
    if (this.launches[g]! >= this.#maxLaunches) {
      state.index.remove(g);
      return REJECT;
    }
    const missing = missingResources(book, state.view, g, state.prepared.demand);
    if (missing !== 0) {
      // Same demand and verdicts in a shared index: too small for everyone who shares it.
      state.index.remove(g);
      state.rejected[g] = missing;
      return REJECT;
    }
    const counters = state.counters;
    for (let i = 0; i < counters.length; i++) {
      const counter = counters[i]!;
      if (counter.allows(counter.dictionary.agentValues[g]!)) continue;
      state.rejected[g] = REASON_BIT.UnfulfilledConstraint;
      if (state.hasPrivateIndex) {
        if (!counter.refusalIsTemporary) state.index.remove(g);
      } else if (++state.skips > SKIP_ALLOWANCE + SKIPS_PER_PLACEMENT * state.placed) {
        return PRIVATIZE;
      }
      return REJECT;
    }
    return ACCEPT;
  }

  /**
   * Give the request its own index: the agents still in the shared one minus those its
   * constraints refuse for good, partitioned by a GROUP_BY field with few values.
   */
  #privatize(state: RequestState): void {
    const groups = this.#book.groups.length;
    const partitionBy = state.counters.find((c) => c.constraint.operator === 'GROUP_BY' && c.dictionary.size <= MAX_PARTITIONS + 1);
    const index = partitionBy
      ? new CandidateIndex(groups, partitionBy.dictionary.agentValues, partitionBy.dictionary.size, this.#pool)
      : new CandidateIndex(groups, null, 1, this.#pool);
    const shared = state.sharedIndex;
    outer: for (const g of this.#order) {
      if (!shared.has(g)) continue;
      for (const counter of state.counters) {
        if (!counter.refusalIsTemporary && !counter.allows(counter.dictionary.agentValues[g]!)) {
          state.rejected[g] = REASON_BIT.UnfulfilledConstraint;
          continue outer;
        }
      }
      index.insert(g, this.bucketOf(g));
    }
    state.index = index;
    state.partitionBy = partitionBy;
  }

  place(state: RequestState, g: number): void {
    const book = this.#book;
    const p = state.prepared;
    const hostPorts = p.demand.hostPorts.length > 0 ? new Array<number>(p.demand.hostPorts.length) : [];
    const resources = allocate(book, this.#views, state.view, g, p.demand, this.#rng, hostPorts);
    const counters = state.counters;
    for (let i = 0; i < counters.length; i++) counters[i]!.add(counters[i]!.dictionary.agentValues[g]!);
    const group = book.groups[g]!;
    const task: TaskPlacement = {
      requestKey: p.key,
      instanceIndex: state.placed,
      agentId: group.agentId,
      hostname: group.hostname,
      resources,
      hostPorts,
      portNames: state.portNames,
    };
    const tasks = this.tasks[g];
    if (tasks) tasks.push(task);
    else this.tasks[g] = [task];
    this.launches[g]!++;
    state.placed++;
    state.remaining--;
    if (state.usedCount[g]!++ === 0) state.usedGroups.push(g);
    state.rejected[g] = 0;
    state.index.move(g, this.bucketOf(g));
  }

  /** Reason bits of the request's static verdict and resources at group `g` now (equal for its class). */
  classBits(state: RequestState, g: number): number {
    return state.verdicts[g]! | missingResources(this.#book, state.view, g, state.prepared.demand);
  }

  constraintBits(state: RequestState, g: number): number {
    const counters = state.counters;
    for (let i = 0; i < counters.length; i++) {
      const counter = counters[i]!;
      if (!counter.allows(counter.dictionary.agentValues[g]!)) return REASON_BIT.UnfulfilledConstraint;
    }
    return 0;
  }
}
