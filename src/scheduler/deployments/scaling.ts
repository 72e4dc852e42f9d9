/**
 * Which instances a scale step kills and how many it starts (Marathon's ScalingProposition).
 * Among the instances whose goal is Running (UnreachableInactive ones excluded, their
 * replacements count instead): kill max(count - target, sentenced); sentenced instances go first,
 * then the rest ordered Unreachable < Staging < Starting < Running < anything else, ties broken by
 * the app's killSelection (YOUNGEST_FIRST: the most recently staged/started first).
 * Re-balancing of GROUP_BY constraints (Marathon's second tier) is not done.
 */
import type { KillSelection } from '../../model/apps/types.js';
import type { Condition, Instance } from '../contracts.js';

export interface ScalingProposal {
  toDecommission: Instance[];
  toStart: number;
}

const WEIGHT: Partial<Record<Condition, number>> = { Unreachable: 1, Staging: 2, Starting: 3, Running: 4 };
const OTHER_WEIGHT = 5;

function weight(condition: Condition): number {
  return WEIGHT[condition] ?? OTHER_WEIGHT;
}

function epoch(ts: string | undefined): number | undefined {
  if (ts === undefined) return undefined;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Negative when `a` should be killed before `b`. */
export function killOrder(selection: KillSelection, now: number): (a: Instance, b: Instance) => number {
  // YOUNGEST_FIRST kills the later timestamp first; OLDEST_FIRST the earlier.
  const byTime = (x: number, y: number): number => (selection === 'YOUNGEST_FIRST' ? y - x : x - y);
  return (a, b) => {
    const w = weight(a.condition) - weight(b.condition);
    if (w !== 0) return w;
    if (a.condition === 'Staging' && b.condition === 'Staging') {
      return byTime(epoch(a.stagedAt) ?? now, epoch(b.stagedAt) ?? now);
    }
    if (a.condition === 'Starting' && b.condition === 'Starting') return byTime(a.since, b.since);
    const left = epoch(a.startedAt);
    const right = epoch(b.startedAt);
    // An instance that never started is an odd case; Marathon kills it first.
    if (left === undefined) return right === undefined ? 0 : -1;
    if (right === undefined) return 1;
    return byTime(left, right);
  };
}

export function proposeScaling(
  instances: readonly Instance[],
  sentenced: readonly string[],
  scaleTo: number,
  killSelection: KillSelection,
  now: number,
): ScalingProposal {
  const wanted = instances.filter((i) => i.goal === 'Running' && i.condition !== 'UnreachableInactive');
  const sentencedSet = new Set(sentenced);
  const doomed = wanted.filter((i) => sentencedSet.has(i.instanceId));
  const rest = wanted.filter((i) => !sentencedSet.has(i.instanceId)).sort(killOrder(killSelection, now));
  const decommissionCount = Math.max(wanted.length - scaleTo, doomed.length);
  const toDecommission = [...doomed, ...rest].slice(0, decommissionCount);
  return { toDecommission, toStart: Math.max(0, scaleTo - wanted.length + decommissionCount) };
}
