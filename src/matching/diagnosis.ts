/**
 * Per-request explanations (Nomad AllocMetric style) and the declines of a round.
 */
import type { OfferBook } from './agents.js';
import type { MatchingInputError } from './errors.js';
import type { RequestDiagnosis, RequestOutcome, UnusedOffer } from './outcome.js';
import { funnelReason, REASON_BIT, reasonsOf, type MarathonRejectReason, type RejectReason } from './reasons.js';
import { MISSING_VALUE } from './constraints/values.js';
import type { RequestState, Search } from './search.js';
import type { ScratchPool } from './scratch.js';
import type { MatchOffer, OfferDecline } from './types.js';

/** Reason bits of many groups summed up, each group weighted by its number of offers. */
interface Tally {
  offers: number;
  readonly rejectSummary: Partial<Record<MarathonRejectReason, number>>;
  readonly reasonCounts: Partial<Record<RejectReason, number>>;
}

function emptyTally(): Tally {
  return { offers: 0, rejectSummary: {}, reasonCounts: {} };
}

function addToTally(t: Tally, mask: number, offers: number): void {
  t.offers += offers;
  const first = funnelReason(mask);
  if (first) t.rejectSummary[first] = (t.rejectSummary[first] ?? 0) + offers;
  for (const r of reasonsOf(mask)) t.reasonCounts[r] = (t.reasonCounts[r] ?? 0) + offers;
}

function copyTally(t: Tally): Tally {
  return { offers: t.offers, rejectSummary: { ...t.rejectSummary }, reasonCounts: { ...t.reasonCounts } };
}

/** Reason masks have this many bits (see reasons.ts), so a histogram over masks is small. */
const MASK_SPACE = 1 << 12;

/**
 * Builds each request's diagnosis. A request still waiting has processed every offer and gets
 * every unused group explained against the end-of-round state: the static verdict and resource
 * shortfall (computed once per class of requests with equal demand and verdicts) plus its own
 * placement constraints. A satisfied request has processed the offers it used or turned down:
 * the static rejections of its class plus the agents its search visited and refused.
 */
export class Diagnoser {
  readonly #book: OfferBook;
  readonly #search: Search;
  readonly #limit: number;
  readonly #pool: ScratchPool;
  /** Per class (keyed by its shared index): static verdict | resource shortfall per group. */
  readonly #classMasks = new Map<object, Uint32Array>();
  /** Per class: the tally of those masks over every group. */
  readonly #classTallies = new Map<object, Tally>();
  readonly #staticTallies = new Map<Uint32Array, Tally>();
  /** Offers per mask (a signed change when correcting a class tally), for one tally at a time. */
  readonly #histogram: Int32Array;
  readonly #isTouched: Int32Array;
  readonly #touched: number[] = [];
  /** Groups already corrected in the current tally: marked with the tally's stamp. */
  readonly #marks: Int32Array;
  #stamp = 0;

  constructor(book: OfferBook, search: Search, unusedLimit: number, pool: ScratchPool) {
    this.#book = book;
    this.#search = search;
    this.#limit = unusedLimit;
    this.#pool = pool;
    this.#histogram = pool.int32(MASK_SPACE);
    this.#isTouched = pool.int32(MASK_SPACE);
    this.#marks = pool.int32(book.groups.length);
  }

  diagnose(state: RequestState): RequestOutcome {
    const diagnosis = state.remaining > 0 ? this.#waiting(state) : this.#satisfied(state);
    return {
      key: state.prepared.key,
      requested: state.prepared.count,
      placed: state.placed,
      unplaced: state.remaining,
      strategy: state.prepared.strategy,
      diagnosis,
    };
  }

  #offers(g: number): number {
    return this.#book.groups[g]!.offers.length;
  }

  #classMasksOf(state: RequestState): Uint32Array {
    let masks = this.#classMasks.get(state.sharedIndex);
    if (!masks) {
      masks = this.#pool.uint32(this.#book.groups.length);
      for (let g = 0; g < masks.length; g++) masks[g] = this.#search.classBits(state, g);
      this.#classMasks.set(state.sharedIndex, masks);
    }
    return masks;
  }

  #count(mask: number, offers: number): void {
    if (this.#isTouched[mask] === 0) {
      this.#isTouched[mask] = 1;
      this.#touched.push(mask);
    }
    this.#histogram[mask] = this.#histogram[mask]! + offers;
  }

  /** The histogram added to `into` (a fresh tally by default); clears it for the next one. */
  #drain(into: Tally = emptyTally()): Tally {
    this.#touched.sort((x, y) => x - y);
    for (const mask of this.#touched) {
      if (this.#histogram[mask] !== 0) addToTally(into, mask, this.#histogram[mask]!);
      this.#histogram[mask] = 0;
      this.#isTouched[mask] = 0;
    }
    this.#touched.length = 0;
    dropZeros(into);
    return into;
  }

  #classTally(state: RequestState, masks: Uint32Array): Tally {
    let classTally = this.#classTallies.get(state.sharedIndex);
    if (!classTally) {
      for (let g = 0; g < masks.length; g++) this.#count(masks[g]!, this.#offers(g));
      classTally = this.#drain();
      this.#classTallies.set(state.sharedIndex, classTally);
    }
    return classTally;
  }

  /**
   * Tally of a constrained request's unused groups, as its class tally corrected for the groups
   * it used and the groups its constraints refuse. Refused groups are found through the values
   * the counters hold, so the cost follows the request's placements, not the number of agents.
   */
  #constrainedTally(state: RequestState, masks: Uint32Array): Tally {
    const stamp = ++this.#stamp;
    const marks = this.#marks;
    for (const g of state.usedGroups) {
      marks[g] = stamp;
      this.#count(masks[g]!, -this.#offers(g));
    }
    for (const counter of state.counters) {
      const { offsets, list } = counter.dictionary.groupsByValue();
      const values = counter.countedValues;
      for (let i = -1; i < values.length; i++) {
        const value = i < 0 ? MISSING_VALUE : values[i]!;
        if (counter.allows(value)) continue;
        for (let k = offsets[value]!; k < offsets[value + 1]!; k++) {
          const g = list[k]!;
          if (marks[g] === stamp) continue;
          marks[g] = stamp;
          const offers = this.#offers(g);
          this.#count(masks[g]!, -offers);
          this.#count(masks[g]! | REASON_BIT.UnfulfilledConstraint, offers);
        }
      }
    }
    return this.#drain(copyTally(this.#classTally(state, masks)));
  }

  #waiting(state: RequestState): RequestDiagnosis {
    const masks = this.#classMasksOf(state);
    const groups = masks.length;
    const unusedOffers: UnusedOffer[] = [];
    let tally: Tally;
    let used = 0;
    for (const g of state.usedGroups) used += this.#offers(g);
    if (state.counters.length === 0) {
      // Same masks for the whole class: tally once, then take out the groups this request used.
      tally = copyTally(this.#classTally(state, masks));
      if (state.usedGroups.length > 0) {
        for (const g of state.usedGroups) this.#count(masks[g]!, -this.#offers(g));
        this.#drain(tally);
      }
      for (let g = 0; g < groups && unusedOffers.length < this.#limit; g++) {
        if (state.usedCount[g] === 0) this.#pushUnused(unusedOffers, g, masks[g]!);
      }
    } else {
      if (state.counters.every((c) => c.refusalsAreSparse)) {
        tally = this.#constrainedTally(state, masks);
      } else {
        for (let g = 0; g < groups; g++) {
          if (state.usedCount[g] === 0) this.#count(masks[g]! | this.#search.constraintBits(state, g), this.#offers(g));
        }
        tally = this.#drain();
      }
      for (let g = 0; g < groups && unusedOffers.length < this.#limit; g++) {
        if (state.usedCount[g] === 0) this.#pushUnused(unusedOffers, g, masks[g]! | this.#search.constraintBits(state, g));
      }
    }
    return {
      offersProcessed: tally.offers + used,
      offersUsed: used,
      offersUnused: tally.offers,
      rejectSummary: tally.rejectSummary,
      reasonCounts: tally.reasonCounts,
      unusedOffers,
    };
  }

  #satisfied(state: RequestState): RequestDiagnosis {
    let staticTally = this.#staticTallies.get(state.verdicts);
    if (!staticTally) {
      for (let g = 0; g < state.verdicts.length; g++) {
        if (state.verdicts[g] !== 0) this.#count(state.verdicts[g]!, this.#offers(g));
      }
      staticTally = this.#drain();
      this.#staticTallies.set(state.verdicts, staticTally);
    }
    const unusedOffers: UnusedOffer[] = [];
    for (let g = 0; g < state.verdicts.length; g++) {
      const mask = state.verdicts[g] !== 0 ? state.verdicts[g]! : state.rejected[g]!;
      if (mask === 0) continue;
      if (state.verdicts[g] === 0) this.#count(mask, this.#offers(g));
      if (unusedOffers.length < this.#limit) this.#pushUnused(unusedOffers, g, mask);
    }
    const tally = this.#drain(copyTally(staticTally));
    let used = 0;
    for (const g of state.usedGroups) used += this.#offers(g);
    return {
      offersProcessed: tally.offers + used,
      offersUsed: used,
      offersUnused: tally.offers,
      rejectSummary: tally.rejectSummary,
      reasonCounts: tally.reasonCounts,
      unusedOffers,
    };
  }

  #pushUnused(out: UnusedOffer[], g: number, mask: number): void {
    const reasons = reasonsOf(mask);
    for (const offer of this.#book.groups[g]!.offers) if (out.length < this.#limit) out.push({ offer, reasons });
  }
}

function dropZeros(t: Tally): void {
  for (const k of Object.keys(t.rejectSummary) as MarathonRejectReason[]) if (t.rejectSummary[k] === 0) delete t.rejectSummary[k];
  for (const k of Object.keys(t.reasonCounts) as RejectReason[]) if (t.reasonCounts[k] === 0) delete t.reasonCounts[k];
}

/**
 * Unused offers are declined. An offer that a still-waiting request could take once capacity
 * frees (it passed that request's static checks) gets the short refuse time; the rest, which no
 * waiting request can ever use, the long one.
 */
export function buildDeclines(
  book: OfferBook,
  search: Search,
  states: readonly RequestState[],
  invalid: readonly { offer: MatchOffer; error: MatchingInputError }[],
  refuse: { long: number; short: number },
): OfferDecline[] {
  const waiting = [...new Set(states.filter((s) => s.remaining > 0).map((s) => s.verdicts))];
  const longIds: string[] = [];
  const shortIds: string[] = [];
  for (let g = 0; g < book.groups.length; g++) {
    if (search.tasks[g]) continue;
    const starved = waiting.some((verdicts) => verdicts[g] === 0);
    const ids = starved ? shortIds : longIds;
    for (const offer of book.groups[g]!.offers) ids.push(offer.id.value);
  }
  for (const { offer } of invalid) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- an invalid offer may lack its id
    if (typeof offer?.id?.value === 'string') longIds.push(offer.id.value);
  }
  const out: OfferDecline[] = [];
  if (shortIds.length > 0) out.push({ offerIds: shortIds, refuseSeconds: refuse.short });
  if (longIds.length > 0) out.push({ offerIds: longIds, refuseSeconds: refuse.long });
  return out;
}

/** One sentence per request, e.g. "0/12 offers used by /web (2 waiting): 7 UnfulfilledConstraint, 5 InsufficientMemory". */
export function formatDiagnosis(outcome: RequestOutcome): string {
  const d = outcome.diagnosis;
  const parts = Object.entries(d.rejectSummary)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([reason, n]) => `${n} ${reason}`);
  const head = `${d.offersUsed}/${d.offersProcessed} offers used by ${outcome.key} (${outcome.placed} placed, ${outcome.unplaced} waiting)`;
  return parts.length > 0 ? `${head}: ${parts.join(', ')}` : head;
}
