/**
 * Finding an agent for one instance and reserving it, inside the round's working view.
 *
 * A request walks its candidate index in strategy order (binpack: least left first; spread:
 * most left first). Each visited agent passes, in this order (cheapest and most often
 * decisive first):
 *   1. the per-agent launch cap;
 *   2. resources (typed-array compares) — a shortfall is permanent for this demand in this
 *      round, so the agent leaves the index;
 *   3. placement constraints (O(1) counter lookups) — UNIQUE/MAX_PER/CLUSTER refusals are
 *      permanent for the request, GROUP_BY refusals are not (balance shifts as it places).
 * The first agent that passes is chosen. Every agent leaves an index at most once, so the
 * walk is amortized O(1) per placement apart from GROUP_BY skips.
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
import type { TaskPlacement } from './types.js';

export class RequestState {
  readonly prepared: PreparedRequest;
  readonly view: ProfileView;
  readonly verdicts: Uint32Array;
  readonly counters: PlacementCounter[];
  readonly index: CandidateIndex;
  readonly partitionBy: PlacementCounter | undefined;
  remaining: number;
  placed = 0;
  /** Groups used by this request → instances placed there. */
  readonly used = new Map<number, number>();
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
    index: CandidateIndex,
    partitionBy: PlacementCounter | undefined,
  ) {
    this.prepared = prepared;
    this.view = view;
    this.verdicts = verdicts;
    this.counters = counters;
    this.index = index;
    this.partitionBy = partitionBy;
    this.remaining = prepared.count;
    this.rejected = new Uint32Array(verdicts.length);
    this.portNames = (prepared.request.ports ?? []).map((port) => port.name);
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

export class Search {
  readonly #book: OfferBook;
  readonly #views: readonly ProfileView[];
  readonly #rng: SeededRandom;
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
    maxLaunches: number,
    minimum: { cpus: number; mem: number },
  ) {
    this.#minCpus = minimum.cpus;
    this.#minMem = minimum.mem;
    this.#book = book;
    this.#views = views;
    this.#rng = rng;
    this.#maxLaunches = maxLaunches;
    const groups = book.groups.length;
    this.launches = new Int32Array(groups);
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

  register(index: CandidateIndex, order: readonly number[], verdicts: Uint32Array): void {
    for (const g of order) if (verdicts[g] === 0) index.insert(g, this.bucketOf(g));
  }

  findAgent(state: RequestState): number {
    const index = state.index;
    const up = state.prepared.strategy === 'binpack';
    const partitions = state.allowedPartitions();
    let from = up ? 0 : BUCKETS - 1;
    for (;;) {
      let bucket = -1;
      for (const p of partitions) {
        const b = up ? index.bucketAtOrAbove(p, from) : index.bucketAtOrBelow(p, from);
        if (b >= 0 && (bucket < 0 || (up ? b < bucket : b > bucket))) bucket = b;
      }
      if (bucket < 0) return -1;
      for (const p of partitions) {
        let g = index.first(p, bucket);
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
          if (this.#check(state, g) === ACCEPT) return g;
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
    const missing = missingResources(this.#book, state.view, g, state.prepared.demand);
    if (missing !== 0) {
      state.index.remove(g);
      state.rejected[g] = missing;
      return REJECT;
    }
    for (const counter of state.counters) {
      if (counter.allows(counter.dictionary.agentValues[g]!)) continue;
      // Only private indexes hold requests with placement constraints, so removal is safe.
      if (!counter.refusalIsTemporary) state.index.remove(g);
      state.rejected[g] = REASON_BIT.UnfulfilledConstraint;
      return REJECT;
    }
    return ACCEPT;
  }

  place(state: RequestState, g: number): void {
    const book = this.#book;
    const p = state.prepared;
    const { resources, hostPorts } = allocate(book, this.#views, state.view, g, p.demand, this.#rng);
    for (const counter of state.counters) counter.add(counter.dictionary.agentValues[g]!);
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
    (this.tasks[g] ??= []).push(task);
    this.launches[g]!++;
    state.placed++;
    state.remaining--;
    state.used.set(g, (state.used.get(g) ?? 0) + 1);
    state.rejected[g] = 0;
    state.index.move(g, this.bucketOf(g));
  }

  /** Reason bits for a request at group `g` in the current state (for explanations). */
  explain(state: RequestState, g: number): number {
    let mask = state.verdicts[g]! | missingResources(this.#book, state.view, g, state.prepared.demand);
    for (const counter of state.counters) {
      if (!counter.allows(counter.dictionary.agentValues[g]!)) mask |= REASON_BIT.UnfulfilledConstraint;
    }
    return mask;
  }
}
