/**
 * The seam for readiness checks. Marathon only lets a deployment count a new instance once its
 * readiness check passed; until Pacer runs readiness checks, every instance counts as ready.
 */
import type { AppDefinition, Instance, ReadinessCheckResult } from '../contracts.js';

export interface ReadinessView {
  /** True when the instance passed the app's readiness checks (or the app has none). */
  isReady(instance: Instance, app: AppDefinition): boolean;
  /** Latest results for the app's instances, shown in /v2/deployments `currentActions`. */
  resultsOf(appId: string): readonly ReadinessCheckResult[];
  /** Fires when an instance's readiness changes. */
  onChange(listener: (instanceId: string) => void): () => void;
}

export const NO_READINESS_CHECKS: ReadinessView = {
  isReady: () => true,
  resultsOf: () => [],
  onChange: () => () => {},
};
