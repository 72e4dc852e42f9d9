/**
 * Time-driven rules, checked every `intervalMs`:
 *  - launch timeout: an instance Provisioned/Staging/Starting for longer than
 *    `taskLaunchTimeoutMs` is killed (its goal stays Running, so it is replaced);
 *  - unreachableStrategy: Unreachable for `inactiveAfterSeconds` => UnreachableInactive plus a
 *    replacement; for `expungeAfterSeconds` => expunged (and killed should it come back);
 *  - backoff delays that ran out make their instances launchable: ask for offers again;
 *    overdue delays are dropped.
 * An unreachable instance that returns while its replacement runs is kept; trimming the
 * surplus is the next deployment's scale check, as in Marathon.
 */
import type { Logger } from 'pino';
import type { Store } from '../../state/store.js';
import type { AppLookup, Instance } from '../contracts.js';
import type { InstanceWrite, StoredInstanceTracker } from './instance-tracker.js';
import type { KillService } from './kill-service.js';
import { scheduledInstance } from './launch-queue.js';
import type { OfferDemand } from './offer-demand.js';
import type { RateLimiter } from './rate-limiter.js';

export interface SupervisorOptions {
  tracker: StoredInstanceTracker;
  apps: AppLookup;
  kills: KillService;
  rateLimiter: RateLimiter;
  demand: OfferDemand;
  store: Store;
  clock: () => number;
  logger: Logger;
  taskLaunchTimeoutMs: number;
  intervalMs?: number;
}

/** Instances are immutable: each one's launch time is parsed once, not on every check of tens of thousands launching. */
const launchTimes = new WeakMap<Instance, number>();

function launchedAtMs(instance: Instance): number {
  let at = launchTimes.get(instance);
  if (at === undefined) {
    at = instance.stagedAt !== undefined ? Date.parse(instance.stagedAt) : instance.since;
    launchTimes.set(instance, at);
  }
  return at;
}

export class Supervisor {
  readonly #opts: SupervisorOptions;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(opts: SupervisorOptions) {
    this.#opts = opts;
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.check(), this.#opts.intervalMs ?? 1000);
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async check(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      const now = this.#opts.clock();
      this.#launchTimeouts(now);
      await this.#unreachable(now);
      await this.#delays(now);
    } catch (err) {
      this.#opts.logger.error({ err }, 'supervision check failed');
    } finally {
      this.#running = false;
    }
  }

  #launchTimeouts(now: number): void {
    // Copies of the tracker's live indexes: a kill may change them while the loop runs.
    for (const instance of [...this.#opts.tracker.launching()]) {
      if (instance.taskId === undefined) continue;
      const launchedAt = launchedAtMs(instance);
      if (now - launchedAt > this.#opts.taskLaunchTimeoutMs) {
        this.#opts.kills.kill(instance, `not running ${this.#opts.taskLaunchTimeoutMs} ms after launch`);
      }
    }
  }

  async #unreachable(now: number): Promise<void> {
    const { tracker, apps } = this.#opts;
    await tracker.exclusive(async () => {
      const writes: InstanceWrite[] = [];
      const expunged: Instance[] = [];
      for (const instance of [...tracker.unreachable()]) {
        if (instance.unreachableSince === undefined) continue;
        const strategy = apps.app(instance.appId)?.unreachableStrategy;
        if (strategy === undefined || strategy === 'disabled') continue;
        const away = now - instance.unreachableSince;
        if (away >= strategy.expungeAfterSeconds * 1000 && instance.condition === 'UnreachableInactive') {
          writes.push({ expunge: instance.instanceId });
          expunged.push(instance);
        } else if (away >= strategy.inactiveAfterSeconds * 1000 && instance.condition !== 'UnreachableInactive') {
          writes.push({ put: { ...instance, condition: 'UnreachableInactive', since: now } });
          const app = apps.app(instance.appId);
          if (instance.goal === 'Running' && app) writes.push({ put: scheduledInstance(app, now) });
        }
      }
      if (writes.length === 0) return;
      await tracker.commit(writes);
      for (const instance of expunged) this.#opts.kills.kill(instance, 'unreachable for longer than expungeAfterSeconds');
      this.#opts.logger.info({ changes: writes.length }, 'unreachable instances handled');
      this.#opts.demand.refresh();
    });
  }

  async #delays(now: number): Promise<void> {
    // A delay that ran out turns its app's waiting instances launchable; OfferDemand revives
    // only when the launchable set gained something, so refreshing every tick is cheap.
    this.#opts.demand.refresh();
    const writes = this.#opts.rateLimiter.cleanUpOverdue(now);
    if (writes.length > 0) await this.#opts.store.apply(writes);
  }
}
