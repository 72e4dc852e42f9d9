/** Public surface of the offer-matching core. Pure: no I/O, no clock, no imports from other layers. */
export { match, type MatchInput } from './match.js';
export type { MatchResult, RequestOutcome, RequestDiagnosis, UnusedOffer } from './outcome.js';
export type {
  AcceptedRolesDefault,
  AgentLaunch,
  LaunchRequest,
  MatchOffer,
  MatchOptions,
  MesosAttribute,
  MesosResource,
  OfferDecline,
  PlacedInstance,
  PlacementStrategy,
  PortRequest,
  TaskPlacement,
} from './types.js';
export { MatchingInputError, type MatchingErrorCode } from './errors.js';
export { MARATHON_REASON_FUNNEL, REASON_KIND, type MarathonRejectReason, type RejectReason } from './reasons.js';
export { formatDiagnosis } from './diagnosis.js';
export { needsPlacedInstances, parseConstraints, type ParsedConstraint, type ConstraintOperator } from './constraints/parse.js';
export { STRATEGY_LABEL, GPU_BEHAVIOR_LABEL } from './prepare.js';
export {
  EMPTY_QUEUE_OFFER_STATS,
  recordRound,
  renderProcessedOffersSummary,
  renderLastUnusedOffers,
  renderOffer,
  type QueueOfferStats,
  type ProcessedOffersSummaryJson,
} from './marathon-queue.js';
