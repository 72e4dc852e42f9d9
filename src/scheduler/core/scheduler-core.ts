/**
 * The Mesos-facing orchestrator: owns the driver subscription and turns its events into
 * instance changes (offers -> launches, updates -> conditions), keeps instances supervised
 * (kills, reconciliation, launch timeouts, unreachable handling) and exposes the
 * InstanceTracker / LaunchQueue / HealthView that deployments build on.
 */
import type { Logger } from 'pino';
import type { MatchOptions } from '../../matching/index.js';
import { SchedulerDriver } from '../../mesos/driver.js';
import type { DriverEvent, SchedulerDriverOptions } from '../../mesos/driver-types.js';
import type { Event, FrameworkInfo, TaskStatus } from '../../mesos/types.js';
import type { Store } from '../../state/store.js';
import type { AppLookup, EventBus, FrameworkStatus, HealthView, InstanceTracker, LaunchQueue, QueueEntry } from '../contracts.js';
import { Acknowledger } from './acknowledger.js';
import type { DriverPort } from './driver-port.js';
import { CoreError } from './errors.js';
import { FailedPorts } from './failed-ports.js';
import { batchesOf } from './event-batches.js';
import { frameworkMessageEvent, schedulerDisconnectedEvent, schedulerRegisteredEvent, schedulerReregisteredEvent } from './events.js';
import { MesosHealthView } from './health-view.js';
import { StoredInstanceTracker } from './instance-tracker.js';
import { KillService } from './kill-service.js';
import { LaunchFlow } from './launch-flow.js';
import { CoreLaunchQueue } from './launch-queue.js';
import { OfferDemand } from './offer-demand.js';
import { OfferProcessor, type OfferMetrics } from './offer-processor.js';
import { RateLimiter } from './rate-limiter.js';
import { Reconciler } from './reconciler.js';
import { StatusProcessor } from './status-processor.js';
import { Supervisor } from './supervisor.js';

/** Where the framework id lives: collection `framework`, this key, value `{ frameworkId }`. */
export const FRAMEWORK_ID_KEY = 'id';

/**
 * Most driver events taken into one batch. The driver buffers up to 1024 before it stops
 * reading; a bound keeps one commit (and the events published after it) reasonably sized.
 */
const MAX_EVENT_BATCH = 2048;

export type CoreDriverSettings = Omit<SchedulerDriverOptions, 'persistFrameworkId' | 'logger'>;

export interface DriverInit {
  /** The stored framework id, when Pacer registered before. */
  frameworkId: string | undefined;
  persistFrameworkId: (frameworkId: string) => Promise<void>;
  logger: Logger;
}

export type DriverFactory = (init: DriverInit) => DriverPort;

export interface SchedulerCoreOptions {
  store: Store;
  apps: AppLookup;
  events: EventBus;
  logger: Logger;
  /** Settings of a real SchedulerDriver; the stored framework id is filled in. */
  driver?: CoreDriverSettings;
  /** Or build the driver yourself (tests, alternative transports). */
  driverFactory?: DriverFactory;
  clock?: () => number;
  /** Marathon `--reconciliation_interval` (600000). */
  reconciliationIntervalMs?: number;
  /** Marathon `--task_launch_timeout` (300000). */
  taskLaunchTimeoutMs?: number;
  matchOptions?: Omit<MatchOptions, 'now'>;
  /** Re-send KILL this often until the task is terminal (Marathon `--kill_retry_timeout`, 10000). */
  killRetryIntervalMs?: number;
  /** Marathon `--env_vars_prefix`: prefix of the tasks' port variables and HOST. */
  envVarsPrefix?: string;
  /** Least time between REVIVE calls (Marathon `--min_revive_offers_interval`, 5000). */
  minReviveIntervalMs?: number;
  killMaxAttempts?: number;
  /** First wait of explicit reconciliation; doubles up to 30 s. */
  reconcileInitialBackoffMs?: number;
  /** How often launch timeouts, unreachable instances and delays are checked. */
  supervisionIntervalMs?: number;
  /** Pacer-run HTTP/TCP checks, once they exist. */
  marathonHealthChecks?: HealthView;
  /** Offer and launch counters for /metrics. */
  metrics?: OfferMetrics;
  /** Called each time the Mesos subscription drops (for /metrics). */
  onDisconnected?: () => void;
  /**
   * The driver gave up for good (an ERROR event such as "Framework failed over", or a refused
   * SUBSCRIBE) while the core was meant to run: nothing will be scheduled any more.
   */
  onDriverStopped?: (error: Error | undefined) => void;
}

export class SchedulerCore {
  readonly #opts: SchedulerCoreOptions;
  readonly #clock: () => number;
  readonly #logger: Logger;
  readonly #tracker: StoredInstanceTracker;
  readonly #rateLimiter = new RateLimiter();
  readonly #health: MesosHealthView;
  readonly #kills: KillService;
  readonly #demand: OfferDemand;
  readonly #queue: CoreLaunchQueue;
  readonly #offers: OfferProcessor;
  readonly #statuses: StatusProcessor;
  readonly #reconciler: Reconciler;
  readonly #supervisor: Supervisor;
  #driver: DriverPort | undefined;
  #loop: Promise<void> | undefined;
  #subscriptions = 0;
  #localRegion: string | undefined;
  #state: 'new' | 'started' | 'stopped' = 'new';
  #loaded = false;
  readonly #calls = new Set<Promise<void>>();

  constructor(opts: SchedulerCoreOptions) {
    if (!opts.driver && !opts.driverFactory) {
      throw new CoreError('PACER_CORE_NOT_STARTED', 'SchedulerCore needs driver settings or a driverFactory');
    }
    this.#opts = opts;
    this.#clock = opts.clock ?? Date.now;
    this.#logger = opts.logger.child({ component: 'scheduler-core' });
    const clock = this.#clock;
    const logger = this.#logger;
    const driver = (): DriverPort | undefined => this.#driver;

    this.#tracker = new StoredInstanceTracker({ store: opts.store, logger });
    this.#health = new MesosHealthView(opts.marathonHealthChecks ? { marathonChecks: opts.marathonHealthChecks } : {});
    this.#kills = new KillService({
      driver,
      apps: opts.apps,
      instances: this.#tracker,
      logger,
      ...(opts.killRetryIntervalMs !== undefined ? { retryIntervalMs: opts.killRetryIntervalMs } : {}),
      ...(opts.killMaxAttempts !== undefined ? { maxAttempts: opts.killMaxAttempts } : {}),
      expunge: (instance) =>
        this.#tracker.exclusive(async () => {
          // Only if it is still that task: a later update may have moved on.
          if (this.#tracker.get(instance.instanceId)?.taskId !== instance.taskId) return;
          await this.#tracker.commit([{ expunge: instance.instanceId }]);
        }),
    });
    this.#tracker.setKillRequester((instance, reason) => this.#kills.kill(instance, reason));
    this.#demand = new OfferDemand({
      driver,
      logger,
      wanted: () => this.#launchKeys(),
      ...(opts.minReviveIntervalMs !== undefined ? { minReviveIntervalMs: opts.minReviveIntervalMs } : {}),
    });
    this.#queue = new CoreLaunchQueue({
      tracker: this.#tracker,
      store: opts.store,
      rateLimiter: this.#rateLimiter,
      apps: opts.apps,
      demand: this.#demand,
      clock,
      logger,
    });
    const failedPorts = new FailedPorts();
    const acknowledger = new Acknowledger({ driver, logger });
    this.#offers = new OfferProcessor({
      flow: new LaunchFlow({ acks: acknowledger, logger, onChange: (paused) => opts.metrics?.launchesPaused?.(paused) }),
      failedPorts,
      tracker: this.#tracker,
      queue: this.#queue,
      apps: opts.apps,
      demand: this.#demand,
      driver,
      clock,
      logger,
      ...(opts.matchOptions ? { matchOptions: opts.matchOptions } : {}),
      localRegion: () => this.#localRegion,
      ...(opts.metrics ? { metrics: opts.metrics } : {}),
      ...(opts.envVarsPrefix !== undefined ? { envVarsPrefix: opts.envVarsPrefix } : {}),
    });
    this.#reconciler = new Reconciler({
      instances: this.#tracker,
      driver,
      clock,
      logger,
      intervalMs: opts.reconciliationIntervalMs ?? 600_000,
      ...(opts.reconcileInitialBackoffMs !== undefined ? { initialBackoffMs: opts.reconcileInitialBackoffMs } : {}),
    });
    this.#statuses = new StatusProcessor({
      failedPorts,
      tracker: this.#tracker,
      apps: opts.apps,
      rateLimiter: this.#rateLimiter,
      kills: this.#kills,
      health: this.#health,
      events: opts.events,
      demand: this.#demand,
      driver,
      clock,
      logger,
      onUpdateSeen: (taskId, at) => this.#reconciler.noteUpdate(taskId, at),
      acknowledger,
    });
    this.#supervisor = new Supervisor({
      tracker: this.#tracker,
      apps: opts.apps,
      kills: this.#kills,
      rateLimiter: this.#rateLimiter,
      demand: this.#demand,
      store: opts.store,
      clock,
      logger,
      taskLaunchTimeoutMs: opts.taskLaunchTimeoutMs ?? 300_000,
      ...(opts.supervisionIntervalMs !== undefined ? { intervalMs: opts.supervisionIntervalMs } : {}),
    });
  }

  get instances(): InstanceTracker {
    return this.#tracker;
  }

  get launchQueue(): LaunchQueue {
    return this.#queue;
  }

  get health(): HealthView {
    return this.#health;
  }

  framework(): FrameworkStatus {
    const driver = this.#driver;
    return {
      frameworkId: driver?.frameworkId,
      master: driver?.master,
      subscribed: driver?.state === 'subscribed',
    };
  }

  /** /v2/queue data. */
  queue(now: number = this.#clock()): readonly QueueEntry[] {
    return this.#queue.entries(now);
  }

  /** Resolves when the reconciliation started by the latest subscription has finished. */
  reconciled(): Promise<void> {
    return this.#reconciler.idle();
  }

  /**
   * Loads instances and delays from the store. Separate from `start()` so that whoever owns
   * the app definitions can load too before any Mesos event is acted on.
   */
  async load(): Promise<void> {
    if (this.#loaded) return;
    this.#loaded = true;
    await this.#tracker.load();
    this.#offers.trackerLoaded();
    await this.#queue.load();
  }

  /** Loads (if not done yet) and the framework id, then subscribes. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new CoreError('PACER_CORE_STOPPED', `SchedulerCore cannot start twice (state ${this.#state})`);
    this.#state = 'started';
    const { store } = this.#opts;
    await this.load();
    const stored = await store.get<{ frameworkId: string }>('framework', FRAMEWORK_ID_KEY);
    const init: DriverInit = {
      frameworkId: stored?.frameworkId,
      persistFrameworkId: async (frameworkId) => {
        if (stored?.frameworkId === frameworkId) return;
        await store.apply([{ op: 'put', collection: 'framework', key: FRAMEWORK_ID_KEY, value: { frameworkId } }]);
      },
      logger: this.#opts.logger,
    };
    this.#driver = this.#opts.driverFactory ? this.#opts.driverFactory(init) : this.#realDriver(this.#opts.driver!, init);
    this.#logger.info({ frameworkId: init.frameworkId, instances: this.#tracker.all().length }, 'scheduler core starting');
    const driver = this.#driver;
    this.#loop = this.#consume(driver);
    driver.start();
    this.#supervisor.start();
  }

  /**
   * Marathon's kill without scale or wipe: kills the instances' current tasks and leaves
   * their goal Running, so each is replaced (subject to backoff) when its task ends.
   */
  async killTasks(instanceIds: readonly string[], reason: string): Promise<void> {
    for (const id of instanceIds) {
      const instance = this.#tracker.get(id);
      if (instance !== undefined) this.#kills.kill(instance, reason);
    }
  }

  /** Unsubscribes and stops every timer. Tasks keep running (failover_timeout); the store stays open. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    this.#supervisor.close();
    this.#reconciler.close();
    this.#demand.close();
    this.#kills.close();
    await this.#driver?.close();
    await this.#loop;
    // The driver is closed, so these end quickly (answered or failed).
    await Promise.all([...this.#calls]);
    await this.#reconciler.idle();
    // Let commits already under way land before the caller closes the store.
    await this.#tracker.exclusive(async () => undefined);
  }

  #realDriver(settings: CoreDriverSettings, init: DriverInit): DriverPort {
    const frameworkInfo: FrameworkInfo = { ...settings.frameworkInfo };
    if (init.frameworkId !== undefined) frameworkInfo.id = { value: init.frameworkId };
    return new SchedulerDriver({ ...settings, frameworkInfo, persistFrameworkId: init.persistFrameworkId, logger: init.logger });
  }

  /**
   * Events are taken in batches (all that is buffered when the loop gets to them). Runs of
   * UPDATE events are persisted with one commit each; any other event is handled only after the
   * updates that arrived before it, so the relative order of everything is kept. ACKs and offer
   * answers are not awaited here: HTTP round trips must not hold up the next batch.
   */
  async #consume(driver: DriverPort): Promise<void> {
    for await (const batch of batchesOf(driver.events(), MAX_EVENT_BATCH)) {
      let updates: TaskStatus[] = [];
      let stopped = false;
      for (const item of batch) {
        if (item.kind === 'event' && item.event.type === 'UPDATE') {
          if (item.event.update) updates.push(item.event.update.status);
          continue;
        }
        if (updates.length > 0) {
          await this.#applyUpdates(updates);
          updates = [];
        }
        try {
          await this.#handle(item);
        } catch (err) {
          this.#logger.error({ err, kind: item.kind }, 'driver event handling failed');
        }
        if (item.kind === 'stopped') {
          stopped = true;
          break;
        }
      }
      if (updates.length > 0) await this.#applyUpdates(updates);
      if (stopped) break;
    }
  }

  async #applyUpdates(statuses: readonly TaskStatus[]): Promise<void> {
    try {
      const outcome = await this.#statuses.processBatch(statuses);
      this.#track(outcome.acknowledged);
    } catch (err) {
      this.#logger.error({ err, updates: statuses.length }, 'status update handling failed');
    }
  }

  /** Keeps calls that outlive the event that caused them, so stop() can wait for them. */
  #track(calls: Promise<void>): void {
    this.#calls.add(calls);
    void calls.finally(() => this.#calls.delete(calls));
  }

  async #handle(item: DriverEvent): Promise<void> {
    const now = this.#clock();
    switch (item.kind) {
      case 'subscribed':
        // Queued before stop() and handled while it drains the loop: nothing may start now.
        if (this.#state === 'stopped') return;
        this.#subscriptions++;
        this.#localRegion = item.masterInfo?.domain?.fault_domain?.region.name;
        this.#opts.events.publish(
          this.#subscriptions === 1 ? schedulerRegisteredEvent(item.frameworkId, item.master, now) : schedulerReregisteredEvent(item.master, now),
        );
        this.#demand.onSubscribed();
        this.#reconciler.onSubscribed();
        this.#kills.subscribed();
        return;
      case 'disconnected':
        this.#opts.onDisconnected?.();
        this.#reconciler.cancel();
        this.#opts.events.publish(schedulerDisconnectedEvent(now));
        return;
      case 'stopped':
        if (item.error) this.#logger.error({ err: item.error }, 'scheduler driver stopped with an error');
        if (this.#state !== 'stopped') this.#opts.onDriverStopped?.(item.error);
        return;
      case 'event':
        await this.#onEvent(item.event, now);
        return;
    }
  }

  async #onEvent(event: Event, now: number): Promise<void> {
    switch (event.type) {
      case 'OFFERS':
        // Offers queued before stop() go with the stream: neither launched on nor declined.
        if (this.#state === 'stopped') return;
        this.#demand.offersReceived();
        this.#track((await this.#offers.process(event.offers?.offers ?? [])).answered);
        return;
      case 'UPDATE':
        // Reached only for updates handed in outside #consume's batching.
        if (event.update) await this.#applyUpdates([event.update.status]);
        return;
      case 'MESSAGE':
        if (event.message) {
          this.#opts.events.publish(frameworkMessageEvent(event.message.executor_id.value, event.message.agent_id.value, event.message.data, now));
        }
        return;
      case 'FAILURE':
        this.#logger.warn(
          { agentId: event.failure?.agent_id?.value, executorId: event.failure?.executor_id?.value, status: event.failure?.status },
          'agent or executor failure',
        );
        return;
      case 'ERROR':
        this.#logger.error({ message: event.error?.message }, 'master sent ERROR');
        return;
      default:
        // RESCIND: the offer is gone; offers are used or declined as they arrive, nothing is held.
        return;
    }
  }

  #launchKeys(): ReadonlySet<string> {
    return this.#queue.launchKeys(this.#clock());
  }
}
