import { pino } from 'pino';
import { normalizeAndValidateApp } from '../../../src/model/apps/index.js';
import type { AppDefinition, AppLookup, Timestamp } from '../../../src/scheduler/contracts.js';
import { StoredInstanceTracker } from '../../../src/scheduler/core/instance-tracker.js';
import { CoreLaunchQueue } from '../../../src/scheduler/core/launch-queue.js';
import { OfferDemand } from '../../../src/scheduler/core/offer-demand.js';
import { OfferProcessor, type OfferProcessorOptions } from '../../../src/scheduler/core/offer-processor.js';
import { RateLimiter } from '../../../src/scheduler/core/rate-limiter.js';
import { JournalStore, recordingDriver, type Entry } from './recording-doubles.js';

/** A canonical app as the group manager would hand it to the core (version assigned). */
export function appOf(json: Record<string, unknown>, version = '2024-01-01T00:00:00.000Z'): AppDefinition {
  const app = normalizeAndValidateApp(json, { mesosRole: '*' });
  return { ...app, version, versionInfo: { lastScalingAt: version, lastConfigChangeAt: version } };
}

/** AppLookup over a plain map; `set` replaces the current version and keeps the old ones. */
export class MapAppLookup implements AppLookup {
  readonly #current = new Map<string, AppDefinition>();
  readonly #versions = new Map<string, AppDefinition>();

  constructor(apps: AppDefinition[] = []) {
    for (const app of apps) this.set(app);
  }

  set(app: AppDefinition): void {
    this.#current.set(app.id, app);
    this.#versions.set(`${app.id}@${app.version}`, app);
  }

  app(id: string): AppDefinition | undefined {
    return this.#current.get(id);
  }

  appVersion(id: string, version: Timestamp): Promise<AppDefinition | undefined> {
    return Promise.resolve(this.#versions.get(`${id}@${version}`));
  }
}

/**
 * The core's offer path from its real parts: instance tracker, launch queue, offer demand and
 * offer processor, on a journaling store, with a recording driver standing in for the master.
 * `processor` adds to the offer processor's options (match options, flow control).
 */
export async function offerPath(opts: { apps: MapAppLookup; now: number; processor?: Partial<OfferProcessorOptions> }) {
  const journal: Entry[] = [];
  const store = new JournalStore(journal);
  const logger = pino({ level: 'silent' });
  const driver = recordingDriver(journal);
  const tracker = new StoredInstanceTracker({ store, logger });
  await tracker.load();
  const queueRef: { queue?: CoreLaunchQueue } = {};
  const demand = new OfferDemand({ driver: () => driver, logger, wanted: () => queueRef.queue!.launchKeys(opts.now) });
  const queue = new CoreLaunchQueue({ tracker, store, rateLimiter: new RateLimiter(), apps: opts.apps, demand, clock: () => opts.now, logger });
  queueRef.queue = queue;
  const offers = new OfferProcessor({
    tracker,
    queue,
    apps: opts.apps,
    demand,
    driver: () => driver,
    clock: () => opts.now,
    logger,
    ...opts.processor,
  });
  return { journal, store, driver, tracker, queue, demand, offers };
}
