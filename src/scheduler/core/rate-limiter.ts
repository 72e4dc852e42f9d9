/**
 * Marathon's launch backoff (marathon.md §6): one delay per app and config version. A failure
 * starts it at `backoffSeconds` or multiplies it by `backoffFactor`, capped at
 * `maxLaunchDelaySeconds`; either way the clock restarts now. A task that reaches
 * Provisioned/Staging/Starting/Running "advances" the delay (restarts its clock, same length).
 * Kills never grow it; a kill caused by agent draining clears it. A delay whose reference is
 * older than the maximum delay is overdue and dropped.
 *
 * Pure state plus the store writes that mirror it, so callers can put those writes in the same
 * batch as the instance change that caused them.
 */
import type { TaskStatusReason } from '../../mesos/types.js';
import type { StoreWrite } from '../../state/store.js';
import type { AppDefinition, Condition, QueueDelay } from '../contracts.js';

export interface LaunchDelay {
  appId: string;
  /** The app's lastConfigChangeAt (or version) the delay belongs to. */
  configVersion: string;
  /** Epoch ms the current delay counts from. */
  referenceMs: number;
  delaySeconds: number;
  maxLaunchDelaySeconds: number;
}

export type BackoffSettings = Pick<AppDefinition, 'id' | 'backoffSeconds' | 'backoffFactor' | 'maxLaunchDelaySeconds' | 'version' | 'versionInfo'>;

const FAILURE_CONDITIONS: ReadonlySet<Condition> = new Set<Condition>(['Failed', 'Error', 'Finished', 'Dropped', 'Gone']);
const PROGRESS_CONDITIONS: ReadonlySet<Condition> = new Set<Condition>(['Provisioned', 'Staging', 'Starting', 'Running']);

export function configVersionOf(app: Pick<AppDefinition, 'version' | 'versionInfo'>): string {
  return app.versionInfo?.lastConfigChangeAt ?? app.version ?? '';
}

export function deadlineOf(delay: LaunchDelay): number {
  return delay.referenceMs + delay.delaySeconds * 1000;
}

export class RateLimiter {
  readonly #delays = new Map<string, LaunchDelay>();

  /** Restores persisted delays (launchDelays collection). */
  load(delays: Iterable<LaunchDelay>): void {
    for (const delay of delays) this.#delays.set(delay.appId, delay);
  }

  /** The app's delay for its current config, if any. */
  get(app: Pick<AppDefinition, 'id' | 'version' | 'versionInfo'>): LaunchDelay | undefined {
    const delay = this.#delays.get(app.id);
    return delay && delay.configVersion === configVersionOf(app) ? delay : undefined;
  }

  /** True while new instances of the app must wait. */
  isDelayed(app: Pick<AppDefinition, 'id' | 'version' | 'versionInfo'>, nowMs: number): boolean {
    const delay = this.get(app);
    return delay !== undefined && deadlineOf(delay) > nowMs;
  }

  delayOf(app: Pick<AppDefinition, 'id' | 'version' | 'versionInfo'>, nowMs: number): QueueDelay | undefined {
    const delay = this.get(app);
    if (!delay) return undefined;
    const left = Math.max(0, deadlineOf(delay) - nowMs);
    return { timeLeftSeconds: left / 1000, overdue: left === 0 };
  }

  /**
   * What an instance's new condition means for the app's backoff; returns the writes that
   * persist the change (empty when nothing changed).
   */
  onCondition(app: BackoffSettings, condition: Condition, reason: TaskStatusReason | undefined, nowMs: number): StoreWrite[] {
    if ((condition === 'Killed' || condition === 'Gone') && reason === 'REASON_AGENT_DRAINING') return this.reset(app.id);
    if (FAILURE_CONDITIONS.has(condition)) return this.increase(app, nowMs);
    if (PROGRESS_CONDITIONS.has(condition)) return this.advance(app, nowMs);
    return [];
  }

  increase(app: BackoffSettings, nowMs: number): StoreWrite[] {
    const current = this.get(app);
    const delaySeconds = current
      ? Math.min(current.delaySeconds * app.backoffFactor, app.maxLaunchDelaySeconds)
      : Math.min(app.backoffSeconds, app.maxLaunchDelaySeconds);
    return this.#set({
      appId: app.id,
      configVersion: configVersionOf(app),
      referenceMs: nowMs,
      delaySeconds,
      maxLaunchDelaySeconds: app.maxLaunchDelaySeconds,
    });
  }

  advance(app: BackoffSettings, nowMs: number): StoreWrite[] {
    const current = this.get(app);
    if (!current || current.referenceMs >= nowMs) return [];
    return this.#set({ ...current, referenceMs: nowMs });
  }

  reset(appId: string): StoreWrite[] {
    if (!this.#delays.delete(appId)) return [];
    return [{ op: 'delete', collection: 'launchDelays', key: appId }];
  }

  /** Drops delays whose reference lies more than their maximum delay in the past. */
  cleanUpOverdue(nowMs: number): StoreWrite[] {
    const writes: StoreWrite[] = [];
    for (const delay of [...this.#delays.values()]) {
      if (delay.referenceMs + delay.maxLaunchDelaySeconds * 1000 < nowMs) writes.push(...this.reset(delay.appId));
    }
    return writes;
  }

  all(): readonly LaunchDelay[] {
    return [...this.#delays.values()];
  }

  #set(delay: LaunchDelay): StoreWrite[] {
    this.#delays.set(delay.appId, delay);
    return [{ op: 'put', collection: 'launchDelays', key: delay.appId, value: delay }];
  }
}

export function isFailureCondition(condition: Condition): boolean {
  return FAILURE_CONDITIONS.has(condition);
}
