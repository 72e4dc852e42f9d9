/**
 * Marathon `/v2/queue` offer statistics. The matcher is stateless, so the orchestrator keeps a
 * `QueueOfferStats` per launch attempt, folds each round's `RequestOutcome` into it with
 * `recordRound`, and renders `processedOffersSummary` and `lastUnusedOffers` from it.
 * Shapes follow Marathon's RAML (types/queue.raml, types/offer.raml).
 */
import type { RequestOutcome } from './outcome.js';
import { MARATHON_REASON_FUNNEL, REASON_BIT, funnelReason, type MarathonRejectReason } from './reasons.js';
import type { MatchOffer, MesosRange } from './types.js';

export interface LastUnusedOffer {
  readonly offer: MatchOffer;
  readonly reasons: MarathonRejectReason[];
  readonly at: number;
}

export interface QueueOfferStats {
  readonly processedOffersCount: number;
  readonly unusedOffersCount: number;
  /** Epoch milliseconds. */
  readonly lastUnusedOfferAt?: number;
  readonly lastUsedOfferAt?: number;
  readonly rejectSummaryLaunchAttempt: Readonly<Partial<Record<MarathonRejectReason, number>>>;
  /**
   * Last unused offer per agent, oldest first, bounded. Owned by the stats it came in: recordRound
   * updates it in place, because copying up to 100 entries per app per offer round was a tenth of
   * a 1,000-app deployment's time.
   */
  readonly lastUnusedByAgent: ReadonlyMap<string, LastUnusedOffer>;
}

export const EMPTY_QUEUE_OFFER_STATS: QueueOfferStats = {
  processedOffersCount: 0,
  unusedOffersCount: 0,
  rejectSummaryLaunchAttempt: {},
  lastUnusedByAgent: new Map(),
};

export function recordRound(stats: QueueOfferStats, outcome: RequestOutcome, nowMs: number, maxAgents = 100): QueueOfferStats {
  const d = outcome.diagnosis;
  const summary: Partial<Record<MarathonRejectReason, number>> = { ...stats.rejectSummaryLaunchAttempt };
  for (const [reason, n] of Object.entries(d.rejectSummary) as [MarathonRejectReason, number][]) {
    summary[reason] = (summary[reason] ?? 0) + n;
  }
  // EMPTY_QUEUE_OFFER_STATS is shared, so its map is never written.
  const last = stats === EMPTY_QUEUE_OFFER_STATS ? new Map<string, LastUnusedOffer>() : (stats.lastUnusedByAgent as Map<string, LastUnusedOffer>);
  for (const u of d.unusedOffers) {
    const agentId = u.offer.agent_id.value;
    last.delete(agentId);
    const reasons = MARATHON_REASON_FUNNEL.filter((r) => u.reasons.includes(r));
    last.set(agentId, { offer: u.offer, reasons, at: nowMs });
  }
  while (last.size > maxAgents) last.delete(last.keys().next().value!);
  return {
    processedOffersCount: stats.processedOffersCount + d.offersProcessed,
    unusedOffersCount: stats.unusedOffersCount + d.offersUnused,
    ...(d.offersUnused > 0 ? { lastUnusedOfferAt: nowMs } : stats.lastUnusedOfferAt !== undefined ? { lastUnusedOfferAt: stats.lastUnusedOfferAt } : {}),
    ...(d.offersUsed > 0 ? { lastUsedOfferAt: nowMs } : stats.lastUsedOfferAt !== undefined ? { lastUsedOfferAt: stats.lastUsedOfferAt } : {}),
    rejectSummaryLaunchAttempt: summary,
    lastUnusedByAgent: last,
  };
}

export interface DeclinedOfferStepJson {
  reason: MarathonRejectReason;
  declined: number;
  processed: number;
}

export interface ProcessedOffersSummaryJson {
  processedOffersCount: number;
  unusedOffersCount: number;
  lastUnusedOfferAt?: string;
  lastUsedOfferAt?: string;
  rejectSummaryLastOffers: DeclinedOfferStepJson[];
  rejectSummaryLaunchAttempt: DeclinedOfferStepJson[];
}

/** Marathon's funnel: each step shows offers still in play and how many this reason declined. */
function funnel(processed: number, declined: Partial<Record<MarathonRejectReason, number>>): DeclinedOfferStepJson[] {
  let left = processed;
  return MARATHON_REASON_FUNNEL.map((reason) => {
    const n = declined[reason] ?? 0;
    const step = { reason, declined: n, processed: left };
    left -= n;
    return step;
  });
}

export function renderProcessedOffersSummary(stats: QueueOfferStats): ProcessedOffersSummaryJson {
  const lastDeclined: Partial<Record<MarathonRejectReason, number>> = {};
  for (const { reasons } of stats.lastUnusedByAgent.values()) {
    const mask = reasons.reduce((m, r) => m | REASON_BIT[r], 0);
    const first = funnelReason(mask);
    if (first) lastDeclined[first] = (lastDeclined[first] ?? 0) + 1;
  }
  return {
    processedOffersCount: stats.processedOffersCount,
    unusedOffersCount: stats.unusedOffersCount,
    ...(stats.lastUnusedOfferAt !== undefined ? { lastUnusedOfferAt: new Date(stats.lastUnusedOfferAt).toISOString() } : {}),
    ...(stats.lastUsedOfferAt !== undefined ? { lastUsedOfferAt: new Date(stats.lastUsedOfferAt).toISOString() } : {}),
    rejectSummaryLastOffers: funnel(stats.lastUnusedByAgent.size, lastDeclined),
    rejectSummaryLaunchAttempt: funnel(stats.processedOffersCount, stats.rejectSummaryLaunchAttempt),
  };
}

export interface MarathonOfferJson {
  id: string;
  hostname: string;
  agentId: string;
  resources: { name: string; role: string; scalar?: number; ranges?: MesosRange[]; set?: string[] }[];
  attributes: { name: string; text?: string; scalar?: number; ranges?: MesosRange[]; set?: string[] }[];
}

export function renderOffer(offer: MatchOffer): MarathonOfferJson {
  return {
    id: offer.id.value,
    hostname: offer.hostname,
    agentId: offer.agent_id.value,
    resources: offer.resources.map((r) => ({
      name: r.name,
      role: r.reservations && r.reservations.length > 0 ? (r.reservations[r.reservations.length - 1]!.role ?? '*') : (r.role ?? '*'),
      ...(r.type === 'SCALAR' ? { scalar: r.scalar?.value ?? 0 } : {}),
      ...(r.type === 'RANGES' ? { ranges: (r.ranges?.range ?? []).map((x) => ({ begin: x.begin, end: x.end })) } : {}),
      ...(r.type === 'SET' ? { set: [...(r.set?.item ?? [])] } : {}),
    })),
    attributes: (offer.attributes ?? []).map((a) => ({
      name: a.name,
      ...(a.type === 'TEXT' ? { text: a.text?.value ?? '' } : {}),
      ...(a.type === 'SCALAR' ? { scalar: a.scalar?.value ?? 0 } : {}),
      ...(a.type === 'RANGES' ? { ranges: (a.ranges?.range ?? []).map((x) => ({ begin: x.begin, end: x.end })) } : {}),
      ...(a.type === 'SET' ? { set: [...(a.set?.item ?? [])] } : {}),
    })),
  };
}

export function renderLastUnusedOffers(stats: QueueOfferStats): { offer: MarathonOfferJson; timestamp: string; reason: MarathonRejectReason[] }[] {
  return [...stats.lastUnusedByAgent.values()].map((u) => ({
    offer: renderOffer(u.offer),
    timestamp: new Date(u.at).toISOString(),
    reason: u.reasons,
  }));
}
