/** Result types of one matching round. */
import type { MatchingInputError } from './errors.js';
import type { MarathonRejectReason, RejectReason } from './reasons.js';
import type { AgentLaunch, MatchOffer, OfferDecline, PlacementStrategy } from './types.js';

export interface UnusedOffer {
  /** The offer as given to `match()` (not copied). */
  readonly offer: MatchOffer;
  readonly reasons: readonly RejectReason[];
}

/**
 * Why a request did not use offers, Marathon style: an offer counts as processed when the
 * request used it or turned it down; a request still waiting at the end of the round has
 * processed every offer.
 */
export interface RequestDiagnosis {
  readonly offersProcessed: number;
  readonly offersUsed: number;
  readonly offersUnused: number;
  /** Unused offers by the one reason Marathon's funnel counts. */
  readonly rejectSummary: Partial<Record<MarathonRejectReason, number>>;
  /** Unused offers per reason, every reason counted. */
  readonly reasonCounts: Partial<Record<RejectReason, number>>;
  /** Up to `unusedOffersPerRequest` unused offers with all their reasons, in agent order. */
  readonly unusedOffers: UnusedOffer[];
}

export interface RequestOutcome {
  readonly key: string;
  readonly requested: number;
  readonly placed: number;
  readonly unplaced: number;
  readonly strategy: PlacementStrategy;
  readonly diagnosis: RequestDiagnosis;
}

export interface MatchResult {
  /** One ACCEPT per agent (and allocation role) with at least one task. */
  readonly launches: AgentLaunch[];
  /** Every offer not in `launches`, grouped by refuse seconds. */
  readonly declines: OfferDecline[];
  /** Nothing is left to place: the caller should SUPPRESS offers. */
  readonly suppress: boolean;
  readonly requests: RequestOutcome[];
  readonly invalidRequests: { readonly key: string | undefined; readonly error: MatchingInputError }[];
  readonly invalidOffers: { readonly offerId: string | undefined; readonly error: MatchingInputError }[];
}
