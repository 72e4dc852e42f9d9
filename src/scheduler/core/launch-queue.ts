/**
 * Instances waiting to be launched (condition Scheduled, goal Running), their apps' backoff,
 * and the offer statistics Marathon shows in /v2/queue.
 */
import type { Logger } from 'pino';
import {
  EMPTY_QUEUE_OFFER_STATS,
  recordRound,
  renderLastUnusedOffers,
  renderProcessedOffersSummary,
  type QueueOfferStats,
  type RequestOutcome,
} from '../../matching/index.js';
import type { Store } from '../../state/store.js';
import { timestamp, type AppDefinition, type AppLookup, type Instance, type LaunchQueue, type QueueDelay, type QueueEntry } from '../contracts.js';
import { CoreError } from './errors.js';
import { newInstanceId } from './ids.js';
import type { StoredInstanceTracker } from './instance-tracker.js';
import type { OfferDemand } from './offer-demand.js';
import type { LaunchDelay, RateLimiter } from './rate-limiter.js';

export interface CoreLaunchQueueOptions {
  tracker: StoredInstanceTracker;
  store: Store;
  rateLimiter: RateLimiter;
  apps: AppLookup;
  demand: OfferDemand;
  clock: () => number;
  logger: Logger;
}

export { isWaitingForLaunch } from './conditions.js';

export function scheduledInstance(app: AppDefinition, now: number): Instance {
  if (app.version === undefined) {
    throw new CoreError('PACER_CORE_APP_VERSION', `app ${app.id} has no version; the group manager assigns one before launching`);
  }
  return {
    instanceId: newInstanceId(app.id, now),
    appId: app.id,
    runSpecVersion: app.version,
    goal: 'Running',
    condition: 'Scheduled',
    since: now,
    incarnation: 0,
    hostPorts: [],
    ipAddresses: [],
  };
}

export class CoreLaunchQueue implements LaunchQueue {
  readonly #opts: CoreLaunchQueueOptions;
  readonly #stats = new Map<string, QueueOfferStats>();
  readonly #adds: Array<{ app: AppDefinition; created: Instance[]; resolve: () => void; reject: (err: unknown) => void }> = [];

  constructor(opts: CoreLaunchQueueOptions) {
    this.#opts = opts;
  }

  async load(): Promise<void> {
    const delays = await this.#opts.store.list<LaunchDelay>('launchDelays');
    this.#opts.rateLimiter.load(delays.map((e) => e.value));
  }

  async add(app: AppDefinition, count: number): Promise<readonly Instance[]> {
    if (!Number.isInteger(count) || count < 0) {
      throw new CoreError('PACER_CORE_BAD_COUNT', `instance count must be a non-negative integer, got ${count}`);
    }
    const now = this.#opts.clock();
    const created = Array.from({ length: count }, () => scheduledInstance(app, now));
    if (created.length === 0) return [];
    await new Promise<void>((resolve, reject) => {
      this.#adds.push({ app, created, resolve, reject });
      if (this.#adds.length === 1) setImmediate(() => void this.#commitAdds());
    });
    return created;
  }

  /**
   * The adds of one event-loop turn, committed together: a deployment scaling 1,000 apps adds
   * to each in the same turn, and one commit per app meant 1,000 commits (an fsync each with
   * the embedded store) one after another.
   */
  async #commitAdds(): Promise<void> {
    const adds = this.#adds.splice(0);
    try {
      await this.#opts.tracker.exclusive(() => this.#opts.tracker.commit(adds.flatMap(({ created }) => created.map((put) => ({ put })))));
    } catch (err) {
      for (const add of adds) add.reject(err);
      return;
    }
    for (const { app, created, resolve } of adds) {
      this.#opts.logger.info({ appId: app.id, count: created.length, version: app.version }, 'instances scheduled');
      resolve();
    }
    this.#opts.demand.refresh();
  }

  async purge(appId: string): Promise<void> {
    await this.#opts.tracker.exclusive(() =>
      this.#opts.tracker.commit(
        this.#opts.tracker
          .ofApp(appId)
          .filter((i) => i.condition === 'Scheduled')
          .map((i) => ({ expunge: i.instanceId })),
      ),
    );
    this.#stats.delete(appId);
    this.#opts.demand.refresh();
  }

  resetDelay(appId: string): void {
    const writes = this.#opts.rateLimiter.reset(appId);
    if (writes.length > 0) {
      this.#opts.store.apply(writes).catch((err: unknown) => this.#opts.logger.error({ err, appId }, 'cannot persist launch delay reset'));
    }
    this.#opts.demand.refresh();
  }

  delayOf(appId: string, now: number): QueueDelay | undefined {
    const app = this.#opts.apps.app(appId);
    return app ? this.#opts.rateLimiter.delayOf(app, now) : undefined;
  }

  /** Whether the app's waiting instances are held back by backoff right now. */
  isDelayed(app: AppDefinition, now: number): boolean {
    return this.#opts.rateLimiter.isDelayed(app, now);
  }

  /**
   * The app versions with waiting instances whose app is not backed off, without their
   * instances: a round takes only as many as its offers can hold (see `waitingAt`), so listing
   * every waiting instance each round would cost what waits rather than what launches.
   */
  launchableGroups(now: number): LaunchableGroup[] {
    const groups: LaunchableGroup[] = [];
    for (const [appId, versions] of this.#opts.tracker.waitingVersionsByApp()) {
      const app = this.#opts.apps.app(appId);
      if (app === undefined || this.#opts.rateLimiter.isDelayed(app, now)) continue;
      for (const version of versions) groups.push({ key: launchKey(appId, version), appId, version });
    }
    return groups;
  }

  /** Up to `limit` of the app's instances waiting at `version`, in the order they were scheduled. */
  waitingAt(appId: string, version: string, limit: number): Instance[] {
    const out: Instance[] = [];
    for (const instance of this.#opts.tracker.waitingOf(appId)) {
      if (out.length >= limit) break;
      if (instance.runSpecVersion === version) out.push(instance);
    }
    return out;
  }

  /** Launch keys (`appId@version`) of the waiting instances whose app is not backed off. */
  launchKeys(now: number): Set<string> {
    return new Set(this.launchableGroups(now).map((group) => group.key));
  }

  recordOutcome(appId: string, outcome: RequestOutcome, now: number): void {
    this.#stats.set(appId, recordRound(this.#stats.get(appId) ?? EMPTY_QUEUE_OFFER_STATS, outcome, now));
  }

  /** /v2/queue: apps with instances left to launch. */
  entries(now: number): QueueEntry[] {
    const byApp = new Map<string, ReadonlyMap<string, Instance>>(this.#opts.tracker.waitingByApp());
    for (const appId of this.#stats.keys()) if (!byApp.has(appId)) this.#stats.delete(appId);
    const entries: QueueEntry[] = [];
    for (const [appId, waiting] of byApp) {
      const app = this.#opts.apps.app(appId);
      if (!app) continue;
      const stats = this.#stats.get(appId) ?? EMPTY_QUEUE_OFFER_STATS;
      const pod = this.#opts.apps.pod?.(appId);
      entries.push({
        app,
        ...(pod !== undefined ? { pod } : {}),
        count: waiting.size,
        delay: this.#opts.rateLimiter.delayOf(app, now) ?? { timeLeftSeconds: 0, overdue: true },
        since: timestamp(earliestSince(waiting.values())),
        processedOffersSummary: renderProcessedOffersSummary(stats),
        lastUnusedOffers: renderLastUnusedOffers(stats),
      });
    }
    return entries;
  }
}

function earliestSince(instances: Iterable<Instance>): number {
  let earliest = Number.POSITIVE_INFINITY;
  for (const instance of instances) earliest = Math.min(earliest, instance.since);
  return earliest;
}

export interface LaunchableGroup {
  /** `appId@version` */
  readonly key: string;
  readonly appId: string;
  readonly version: string;
}

export function launchKey(appId: string, version: string): string {
  return `${appId}@${version}`;
}
