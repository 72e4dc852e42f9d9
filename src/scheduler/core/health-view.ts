/**
 * Instance health as deployments see it. Apps with a Mesos-side check (MESOS_HTTP/HTTPS/TCP,
 * COMMAND) are judged by TaskStatus.healthy, which the agent reports. Apps whose checks Marathon
 * itself runs (HTTP/HTTPS/TCP) are delegated to `marathonChecks`, the seam where Pacer-run
 * checks plug in; until one is given such apps count as having no checks (healthy = running).
 */
import type { AppDefinition, HealthCheckResult, HealthView, Instance } from '../contracts.js';
import { timestamp } from '../contracts.js';
import { podInstanceHealth } from './pod-instance.js';
import { hasMesosHealthCheck } from './task-builder.js';

/** Checks Marathon (and so Pacer) runs itself rather than the agent. */
const PACER_RUN_PROTOCOLS: ReadonlySet<string> = new Set(['HTTP', 'HTTPS', 'TCP']);

interface MesosHealthRecord {
  healthy: boolean;
  consecutiveFailures: number;
  firstSuccess: string | null;
  lastSuccess: string | null;
  lastFailure: string | null;
}

export class MesosHealthView implements HealthView {
  readonly #records = new Map<string, MesosHealthRecord>();
  readonly #listeners = new Set<(instanceId: string, healthy: boolean | undefined) => void>();
  readonly #marathonChecks: HealthView | undefined;

  constructor(opts: { marathonChecks?: HealthView } = {}) {
    this.#marathonChecks = opts.marathonChecks;
    this.#marathonChecks?.onChange((id, healthy) => this.#emit(id, healthy));
  }

  healthOf(instance: Instance, app: AppDefinition): boolean | undefined {
    // A pod instance is as healthy as its containers' checks (all Mesos-run).
    if (instance.podTasks !== undefined) return instance.condition === 'Running' ? podInstanceHealth(instance.podTasks) : undefined;
    // With Pacer-run checks present, the checker judges all of the app's checks together
    // (it reads the Mesos-native verdict from the instance itself).
    if (this.#marathonChecks && app.healthChecks.some((c) => PACER_RUN_PROTOCOLS.has(c.protocol))) {
      return this.#marathonChecks.healthOf(instance, app);
    }
    if (hasMesosHealthCheck(app)) {
      // Until the agent reports a verdict the instance is neither healthy nor unhealthy.
      return instance.condition === 'Running' ? instance.status?.healthy : undefined;
    }
    return undefined;
  }

  resultsOf(instanceId: string): readonly HealthCheckResult[] {
    const record = this.#records.get(instanceId);
    const own: HealthCheckResult[] = record
      ? [
          {
            instanceId,
            alive: record.healthy,
            consecutiveFailures: record.consecutiveFailures,
            firstSuccess: record.firstSuccess,
            lastSuccess: record.lastSuccess,
            lastFailure: record.lastFailure,
            lastFailureCause: null,
          },
        ]
      : [];
    return [...own, ...(this.#marathonChecks?.resultsOf(instanceId) ?? [])];
  }

  onChange(listener: (instanceId: string, healthy: boolean | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Feeds a TaskStatus.healthy reading; returns true when the instance's health flipped. */
  record(instanceId: string, healthy: boolean, now: number): boolean {
    const at = timestamp(now);
    const previous = this.#records.get(instanceId);
    const next: MesosHealthRecord = previous ? { ...previous } : { healthy, consecutiveFailures: 0, firstSuccess: null, lastSuccess: null, lastFailure: null };
    next.healthy = healthy;
    if (healthy) {
      next.consecutiveFailures = 0;
      next.firstSuccess ??= at;
      next.lastSuccess = at;
    } else {
      next.consecutiveFailures++;
      next.lastFailure = at;
    }
    this.#records.set(instanceId, next);
    const flipped = previous === undefined || previous.healthy !== healthy;
    if (flipped) this.#emit(instanceId, healthy);
    return flipped;
  }

  forget(instanceId: string): void {
    if (this.#records.delete(instanceId)) this.#emit(instanceId, undefined);
  }

  #emit(instanceId: string, healthy: boolean | undefined): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(instanceId, healthy);
      } catch {
        // A listener's failure is its own; health bookkeeping goes on.
      }
    }
  }
}
