/**
 * Per-request explanations (Nomad AllocMetric style) and the declines of a round.
 */
import type { OfferBook } from './agents.js';
import type { MatchingInputError } from './errors.js';
import type { RequestDiagnosis, RequestOutcome, UnusedOffer } from './outcome.js';
import { funnelReason, reasonsOf, type MarathonRejectReason, type RejectReason } from './reasons.js';
import type { RequestState, Search } from './search.js';
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

interface Explained {
  readonly masks: Uint32Array;
  readonly tally: Tally;
}

/**
 * Builds each request's diagnosis. A request still waiting has processed every offer and gets
 * every unused group explained against the end-of-round state; requests that share an index
 * and have no placement constraints share that work. A satisfied request has processed the
 * offers it used or turned down: the static rejections of its class plus the agents its
 * search visited and refused.
 */
export class Diagnoser {
  readonly #book: OfferBook;
  readonly #search: Search;
  readonly #limit: number;
  readonly #explained = new Map<object, Explained>();
  readonly #staticTallies = new Map<Uint32Array, Tally>();

  constructor(book: OfferBook, search: Search, unusedLimit: number) {
    this.#book = book;
    this.#search = search;
    this.#limit = unusedLimit;
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

  #waiting(state: RequestState): RequestDiagnosis {
    const shareable = state.counters.length === 0;
    let explained = shareable ? this.#explained.get(state.index) : undefined;
    if (!explained) {
      const masks = new Uint32Array(this.#book.groups.length);
      const offersByMask = new Map<number, number>();
      for (let g = 0; g < masks.length; g++) {
        const mask = this.#search.explain(state, g);
        masks[g] = mask;
        offersByMask.set(mask, (offersByMask.get(mask) ?? 0) + this.#offers(g));
      }
      const tally = emptyTally();
      for (const [mask, offers] of offersByMask) addToTally(tally, mask, offers);
      explained = { masks, tally };
      if (shareable) this.#explained.set(state.index, explained);
    }
    // Groups this request used are not unused: take them back out of the shared tally.
    let usedTally: Tally | undefined;
    let used = 0;
    for (const g of state.used.keys()) {
      usedTally ??= emptyTally();
      addToTally(usedTally, explained.masks[g]!, this.#offers(g));
      used += this.#offers(g);
    }
    const tally = copyTally(explained.tally);
    if (usedTally) subtract(tally, usedTally);
    const unusedOffers: UnusedOffer[] = [];
    for (let g = 0; g < explained.masks.length && unusedOffers.length < this.#limit; g++) {
      if (state.used.has(g)) continue;
      this.#pushUnused(unusedOffers, g, explained.masks[g]!);
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
      staticTally = emptyTally();
      for (let g = 0; g < state.verdicts.length; g++) {
        if (state.verdicts[g] !== 0) addToTally(staticTally, state.verdicts[g]!, this.#offers(g));
      }
      this.#staticTallies.set(state.verdicts, staticTally);
    }
    const tally = copyTally(staticTally);
    const unusedOffers: UnusedOffer[] = [];
    for (let g = 0; g < state.verdicts.length; g++) {
      const mask = state.verdicts[g] !== 0 ? state.verdicts[g]! : state.rejected[g]!;
      if (mask === 0) continue;
      if (state.verdicts[g] === 0) addToTally(tally, mask, this.#offers(g));
      if (unusedOffers.length < this.#limit) this.#pushUnused(unusedOffers, g, mask);
    }
    let used = 0;
    for (const g of state.used.keys()) used += this.#offers(g);
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

function subtract(from: Tally, part: Tally): void {
  from.offers -= part.offers;
  for (const [k, n] of Object.entries(part.rejectSummary) as [MarathonRejectReason, number][]) {
    const left = (from.rejectSummary[k] ?? 0) - n;
    if (left > 0) from.rejectSummary[k] = left;
    else delete from.rejectSummary[k];
  }
  for (const [k, n] of Object.entries(part.reasonCounts) as [RejectReason, number][]) {
    const left = (from.reasonCounts[k] ?? 0) - n;
    if (left > 0) from.reasonCounts[k] = left;
    else delete from.reasonCounts[k];
  }
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
