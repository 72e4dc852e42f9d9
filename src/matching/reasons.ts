/**
 * Why an offer was not used for a request. Codes are Marathon's `NoOfferMatchReason` names plus
 * `RemoteRegion`, which Marathon rejects silently (it records no reason for it).
 * Within one round a request's reasons for one agent are kept as a bit mask.
 */

export const MARATHON_REASON_FUNNEL = [
  'UnfulfilledRole',
  'UnfulfilledConstraint',
  'NoCorrespondingReservationFound',
  'AgentMaintenance',
  'InsufficientCpus',
  'InsufficientMemory',
  'InsufficientDisk',
  'InsufficientGpus',
  'InsufficientPorts',
  'DeclinedScarceResources',
] as const;

export type MarathonRejectReason = (typeof MARATHON_REASON_FUNNEL)[number];
export type RejectReason = MarathonRejectReason | 'InsufficientResources' | 'RemoteRegion';

/** Bit per reason; the Marathon reasons use their funnel position so the lowest bit wins. */
export const REASON_BIT: Readonly<Record<RejectReason, number>> = {
  UnfulfilledRole: 1 << 0,
  UnfulfilledConstraint: 1 << 1,
  NoCorrespondingReservationFound: 1 << 2,
  AgentMaintenance: 1 << 3,
  InsufficientCpus: 1 << 4,
  InsufficientMemory: 1 << 5,
  InsufficientDisk: 1 << 6,
  InsufficientGpus: 1 << 7,
  InsufficientPorts: 1 << 8,
  DeclinedScarceResources: 1 << 9,
  // A custom scalar resource is short; Marathon has no name for it.
  InsufficientResources: 1 << 10,
  RemoteRegion: 1 << 11,
};

const ALL_REASONS = Object.keys(REASON_BIT) as RejectReason[];

/**
 * Whether the reason can go away while the offer stays the same ("not now", capacity or
 * placement counts) or never will ("never": role, attributes, maintenance).
 */
export const REASON_KIND: Readonly<Record<RejectReason, 'never' | 'not-now'>> = {
  UnfulfilledRole: 'never',
  UnfulfilledConstraint: 'not-now',
  NoCorrespondingReservationFound: 'never',
  AgentMaintenance: 'never',
  InsufficientCpus: 'not-now',
  InsufficientMemory: 'not-now',
  InsufficientDisk: 'not-now',
  InsufficientGpus: 'not-now',
  InsufficientPorts: 'not-now',
  DeclinedScarceResources: 'never',
  InsufficientResources: 'not-now',
  RemoteRegion: 'never',
};

export const NOT_NOW_MASK = ALL_REASONS.filter((r) => REASON_KIND[r] === 'not-now').reduce((mask, r) => mask | REASON_BIT[r], 0);

const MARATHON_MASK = MARATHON_REASON_FUNNEL.reduce((mask, r) => mask | REASON_BIT[r], 0);

const reasonLists = new Map<number, readonly RejectReason[]>();

/** All reasons in a mask, Marathon funnel order first. The list is shared and frozen. */
export function reasonsOf(mask: number): readonly RejectReason[] {
  let list = reasonLists.get(mask);
  if (!list) {
    list = Object.freeze(ALL_REASONS.filter((r) => (mask & REASON_BIT[r]) !== 0));
    reasonLists.set(mask, list);
  }
  return list;
}

/** The single reason Marathon's statistics count for an unused offer, or undefined if none. */
export function funnelReason(mask: number): MarathonRejectReason | undefined {
  const m = mask & MARATHON_MASK;
  if (m === 0) return undefined;
  const bit = m & -m;
  return MARATHON_REASON_FUNNEL[31 - Math.clz32(bit)];
}

/** Only the reasons Marathon knows, for rendering Marathon JSON. */
export function marathonReasonsOf(mask: number): MarathonRejectReason[] {
  return MARATHON_REASON_FUNNEL.filter((r) => (mask & REASON_BIT[r]) !== 0);
}
