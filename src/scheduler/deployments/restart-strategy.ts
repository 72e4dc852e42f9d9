/**
 * How a rolling restart begins (Marathon's TaskReplaceActor.computeRestartStrategy), with
 * N = target instances and H = old and new instances whose goal is Running and that count as
 * healthy:
 *   minHealthy  = ceil(N * minimumHealthCapacity)
 *   maxCapacity = floor(N * (1 + maximumOverCapacity))
 *   killNow     = max(0, H - minHealthy)
 *   if minHealthy == maxCapacity and maxCapacity <= H:
 *     resident apps: killNow = H - minHealthy + 1, others: maxCapacity + 1 (one extra instance)
 *   if N < current instance count: killNow = max(current - N, killNow)
 */
import type { UpgradeStrategy } from '../../model/apps/types.js';

export interface RestartStrategy {
  minHealthy: number;
  maxCapacity: number;
  killNow: number;
}

export interface RestartInputs {
  instances: number;
  upgradeStrategy: UpgradeStrategy;
  resident: boolean;
  /** H: instances with goal Running that are considered healthy. */
  consideredHealthy: number;
  /** Instances of the app not of the new version, whatever their goal (see RestartApplicationRun). */
  currentInstances: number;
}

export class RestartStrategyError extends Error {
  readonly code = 'PACER_RESTART_STRATEGY';
  constructor(message: string) {
    super(message);
    this.name = 'RestartStrategyError';
  }
}

// Floating point: 3 * 0.7 is 2.0999999999999996; Marathon's doubles round the same way, but a
// product that is an integer up to rounding noise must not be pushed to the next integer.
const EPSILON = 1e-9;

export function computeRestartStrategy(inputs: RestartInputs): RestartStrategy {
  const { instances: n, upgradeStrategy, resident, consideredHealthy: h, currentInstances } = inputs;
  if (n <= 0) throw new RestartStrategyError(`instances must be > 0 but is ${n}`);
  const minHealthy = Math.ceil(n * upgradeStrategy.minimumHealthCapacity - EPSILON);
  let maxCapacity = Math.floor(n * (1 + upgradeStrategy.maximumOverCapacity) + EPSILON);
  let killNow = Math.max(0, h - minHealthy);
  if (minHealthy === maxCapacity && maxCapacity <= h) {
    if (resident) killNow = h - minHealthy + 1;
    else maxCapacity += 1;
  }
  if (n < currentInstances) killNow = Math.max(currentInstances - n, killNow);
  if (maxCapacity <= 0) throw new RestartStrategyError(`maxCapacity must be > 0 but is ${maxCapacity}`);
  return { minHealthy, maxCapacity, killNow };
}
