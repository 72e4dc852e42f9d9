/**
 * Marathon's legacy health checks (HTTP, HTTPS, TCP), run by the leading scheduler itself.
 *
 * Checks are registered per app version, as Marathon's HealthCheckManager does: a version's
 * checks start when its first active instance shows up and stop (remove_health_check_event)
 * when no active instance runs it and it is no longer the app's current version. Every Running
 * instance of a version is probed for each of its legacy checks every `intervalSeconds`, the
 * first time at a random moment within min(interval, 5 s) and later with ±10% jitter, so that a
 * thousand instances do not fire together. All probes share one ConcurrencyLimiter.
 *
 * Failures are ignored while the instance is not Running, and before its first success until
 * `gracePeriodSeconds` after it became Running. A counted failure kills the instance's task when
 * the failures counted *before* it already reached maxConsecutiveFailures (> 0), i.e. on the
 * (max+1)-th; unreachable instances are never killed. The kill goes through `killInstance`, which
 * must keep the instance's goal (it is relaunched).
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { HealthCheck } from '../../model/apps/types.js';
import {
  TERMINAL_CONDITIONS,
  type AppDefinition,
  type AppLookup,
  type EventBus,
  type HealthCheckResult,
  type HealthView,
  type Instance,
  type InstanceChange,
  type InstanceTracker,
} from '../contracts.js';
import { instanceHealthChangedEvent } from '../core/events.js';
import { combinedHealth, isPacerRun } from './combined-health.js';
import { healthCheckEndpoint } from './endpoints.js';
import { addHealthCheckEvent, failedHealthCheckEvent, healthStatusChangedEvent, removeHealthCheckEvent, unhealthyInstanceKillEvent } from './events.js';
import { afterFailure, afterSuccess, isAlive, NO_HEALTH_YET, toHealthCheckResult, type HealthRecord } from './health-record.js';
import { ConcurrencyLimiter } from '../concurrency-limiter.js';
import { createProbeDispatcher, DEFAULT_MAX_CONCURRENT_PROBES, probeHttp, probeTcp, type ProbeOutcome } from './probes.js';

/** Marathon starts checking a new version no later than this. */
export const FIRST_CHECK_WITHIN_MS = 5000;

export type KillInstance = (instanceId: string, reason: string) => Promise<void> | void;

export interface MarathonHealthChecksOptions {
  /** The core's tracker; a getter when the tracker is built after this object. */
  instances: InstanceTracker | (() => InstanceTracker);
  /** App definitions, including the older versions instances still run. */
  apps: AppLookup;
  events: EventBus;
  logger: Logger;
  /** Kills the instance's current task and keeps its goal, so that it is replaced. */
  killInstance: KillInstance;
  clock?: () => number;
  /** Shared with other probers to cap sockets globally; else one of `maxConcurrentProbes` (64). */
  limiter?: ConcurrencyLimiter;
  maxConcurrentProbes?: number;
  dispatcher?: Dispatcher;
  /** Source of jitter in [0, 1). */
  random?: () => number;
}

interface VersionChecks {
  appId: string;
  version: string;
  /** undefined while the version's definition is being loaded, or when it is gone. */
  app: AppDefinition | undefined;
}

interface CheckLoop {
  index: number;
  check: HealthCheck;
  timer: NodeJS.Timeout | undefined;
  busy: boolean;
}

/** Health state of one task of one instance; a new task (relaunch) starts afresh. */
interface InstanceHealthState {
  instanceId: string;
  appId: string;
  version: string;
  taskId: string | undefined;
  /** By index into the version's `healthChecks`. */
  records: Map<number, HealthRecord>;
  loops: Map<number, CheckLoop>;
  /** Last verdict over all checks (null = unknown), for instance_health_changed_event. */
  verdict: boolean | null;
  killRequested: boolean;
}

const versionKey = (appId: string, version: string): string => `${appId}@${version}`;

function isGone(instance: Instance): boolean {
  return TERMINAL_CONDITIONS.has(instance.condition) || instance.condition === 'Scheduled';
}

export class MarathonHealthChecks implements HealthView {
  readonly #opts: MarathonHealthChecksOptions;
  readonly #logger: Logger;
  readonly #clock: () => number;
  readonly #random: () => number;
  readonly #limiter: ConcurrencyLimiter;
  /** Ours (created on start, closed on stop) unless one was given. */
  #dispatcher: Dispatcher | undefined;
  readonly #ownsDispatcher: boolean;
  readonly #versions = new Map<string, VersionChecks>();
  readonly #states = new Map<string, InstanceHealthState>();
  readonly #listeners = new Set<(instanceId: string, healthy: boolean | undefined) => void>();
  #unsubscribe: (() => void) | undefined;
  #abort = new AbortController();
  /** Bumped on start and stop; work begun under another generation is dropped. */
  #generation = 0;
  #running = false;

  constructor(opts: MarathonHealthChecksOptions) {
    this.#opts = opts;
    this.#logger = opts.logger.child({ component: 'health-checks' });
    this.#clock = opts.clock ?? Date.now;
    this.#random = opts.random ?? Math.random;
    this.#limiter = opts.limiter ?? new ConcurrencyLimiter(opts.maxConcurrentProbes ?? DEFAULT_MAX_CONCURRENT_PROBES);
    this.#ownsDispatcher = opts.dispatcher === undefined;
    this.#dispatcher = opts.dispatcher;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Begins checking (the leader only). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#generation++;
    this.#abort = new AbortController();
    // Every probe in flight listens on it; the limiter bounds how many.
    setMaxListeners(0, this.#abort.signal);
    if (this.#ownsDispatcher) this.#dispatcher = createProbeDispatcher();
    const tracker = this.#tracker();
    this.#unsubscribe = tracker.onChange((change) => this.#onInstanceChange(change));
    for (const instance of tracker.all()) this.#reconcileInstance(instance);
    this.#logger.info({ versions: this.#versions.size, instances: this.#states.size }, 'health checks started');
  }

  /** Stops every probe and forgets all results (leadership lost or shutting down). */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#generation++;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#abort.abort();
    for (const state of this.#states.values()) this.#stopLoops(state);
    this.#states.clear();
    this.#versions.clear();
    if (this.#ownsDispatcher) {
      const dispatcher = this.#dispatcher;
      this.#dispatcher = undefined;
      await dispatcher?.destroy();
    }
  }

  // ----------------------------------------------------------------------------- HealthView

  healthOf(instance: Instance, app: AppDefinition): boolean | undefined {
    if (app.healthChecks.length === 0) return undefined;
    const own = this.#versions.get(versionKey(instance.appId, instance.runSpecVersion))?.app;
    const checks = own && own.healthChecks.length > 0 ? own.healthChecks : app.healthChecks;
    const state = this.#states.get(instance.instanceId);
    const records = state && state.taskId === instance.taskId && state.version === instance.runSpecVersion ? state.records : undefined;
    // No verdict yet (no probe has answered) is neither healthy nor unhealthy, as in Marathon.
    return combinedHealth(checks, instance, (index) => records?.get(index)) ?? undefined;
  }

  resultsOf(instanceId: string): readonly HealthCheckResult[] {
    const state = this.#states.get(instanceId);
    if (!state) return [];
    return [...state.records.entries()].sort(([a], [b]) => a - b).map(([, record]) => toHealthCheckResult(instanceId, record));
  }

  onChange(listener: (instanceId: string, healthy: boolean | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  // ------------------------------------------------------------------- instances and versions

  #tracker(): InstanceTracker {
    const source = this.#opts.instances;
    return typeof source === 'function' ? source() : source;
  }

  #onInstanceChange(change: InstanceChange): void {
    if (!this.#running) return;
    const { instance } = change;
    if (change.expunged || isGone(instance)) {
      this.#forget(instance.instanceId);
      this.#retireVersions(instance.appId);
      return;
    }
    this.#reconcileInstance(instance);
  }

  #reconcileInstance(instance: Instance): void {
    if (isGone(instance)) {
      this.#forget(instance.instanceId);
      return;
    }
    let state = this.#states.get(instance.instanceId);
    if (state && (state.taskId !== instance.taskId || state.version !== instance.runSpecVersion)) {
      const previousVersion = state.version;
      this.#forget(instance.instanceId);
      state = undefined;
      if (previousVersion !== instance.runSpecVersion) this.#retireVersions(instance.appId);
    }
    const app = this.#ensureVersion(instance.appId, instance.runSpecVersion)?.app;
    if (!app || !app.healthChecks.some(isPacerRun)) return;
    if (!state) {
      state = {
        instanceId: instance.instanceId,
        appId: instance.appId,
        version: instance.runSpecVersion,
        taskId: instance.taskId,
        records: new Map(),
        loops: new Map(),
        verdict: null,
        killRequested: false,
      };
      this.#states.set(instance.instanceId, state);
    }
    if (instance.condition === 'Running') this.#startLoops(state, app);
    else this.#stopLoops(state);
    this.#updateVerdict(state, instance, app);
  }

  /** The version's checks, registering them (add_health_check_event) on first sight. */
  #ensureVersion(appId: string, version: string): VersionChecks | undefined {
    const key = versionKey(appId, version);
    const known = this.#versions.get(key);
    if (known) return known;
    const entry: VersionChecks = { appId, version, app: undefined };
    this.#versions.set(key, entry);
    const current = this.#opts.apps.app(appId);
    if (current?.version === version) {
      this.#register(entry, current);
      return entry;
    }
    const generation = this.#generation;
    void this.#opts.apps.appVersion(appId, version).then(
      (app) => {
        if (generation !== this.#generation || this.#versions.get(key) !== entry) return;
        if (!app) {
          this.#logger.warn({ appId, version }, 'no definition of this app version: its instances are not health checked');
          return;
        }
        this.#register(entry, app);
        for (const instance of this.#tracker().ofApp(appId)) {
          if (instance.runSpecVersion === version) this.#reconcileInstance(instance);
        }
      },
      (err: unknown) => this.#logger.error({ err, appId, version }, 'could not load an app version for its health checks'),
    );
    return entry;
  }

  #register(entry: VersionChecks, app: AppDefinition): void {
    entry.app = app;
    const now = this.#clock();
    for (const check of app.healthChecks) this.#opts.events.publish(addHealthCheckEvent(entry.appId, entry.version, check, now));
    if (app.healthChecks.length > 0) {
      this.#logger.debug({ appId: entry.appId, version: entry.version, checks: app.healthChecks.length }, 'health checks added');
    }
  }

  /** Drops the checks of versions that no active instance runs and that are not current. */
  #retireVersions(appId: string): void {
    const current = this.#opts.apps.app(appId)?.version;
    // Usually only the current version is registered: nothing to retire, no need to scan.
    let retirable = false;
    for (const entry of this.#versions.values()) if (entry.appId === appId && entry.version !== current) retirable = true;
    if (!retirable) return;
    const inUse = new Set<string>();
    for (const instance of this.#tracker().ofApp(appId)) if (!isGone(instance)) inUse.add(instance.runSpecVersion);
    for (const [key, entry] of this.#versions) {
      if (entry.appId !== appId || entry.version === current || inUse.has(entry.version)) continue;
      this.#versions.delete(key);
      const now = this.#clock();
      for (let i = 0; i < (entry.app?.healthChecks.length ?? 0); i++) this.#opts.events.publish(removeHealthCheckEvent(appId, now));
      if (entry.app && entry.app.healthChecks.length > 0) {
        this.#logger.info({ appId, version: entry.version }, 'health checks removed');
      }
    }
  }

  #forget(instanceId: string): void {
    const state = this.#states.get(instanceId);
    if (!state) return;
    this.#stopLoops(state);
    this.#states.delete(instanceId);
  }

  // -------------------------------------------------------------------------------- probing

  #startLoops(state: InstanceHealthState, app: AppDefinition): void {
    app.healthChecks.forEach((check, index) => {
      if (!isPacerRun(check) || state.loops.has(index)) return;
      const loop: CheckLoop = { index, check, timer: undefined, busy: false };
      state.loops.set(index, loop);
      const firstWithin = Math.min(check.intervalSeconds * 1000, FIRST_CHECK_WITHIN_MS);
      this.#schedule(state, loop, this.#random() * firstWithin);
    });
  }

  #stopLoops(state: InstanceHealthState): void {
    for (const loop of state.loops.values()) clearTimeout(loop.timer);
    state.loops.clear();
  }

  #schedule(state: InstanceHealthState, loop: CheckLoop, delayMs: number): void {
    loop.timer = setTimeout(() => this.#tick(state, loop), delayMs);
    loop.timer.unref();
  }

  #isCurrent(state: InstanceHealthState, loop: CheckLoop, generation: number): boolean {
    return generation === this.#generation && this.#states.get(state.instanceId) === state && state.loops.get(loop.index) === loop;
  }

  #tick(state: InstanceHealthState, loop: CheckLoop): void {
    if (!this.#isCurrent(state, loop, this.#generation)) return;
    const intervalMs = loop.check.intervalSeconds * 1000;
    this.#schedule(state, loop, intervalMs * (0.9 + 0.2 * this.#random()));
    // A probe still queued or running from the last round is not doubled.
    if (loop.busy) return;
    loop.busy = true;
    void this.#probe(state, loop).finally(() => {
      loop.busy = false;
    });
  }

  async #probe(state: InstanceHealthState, loop: CheckLoop): Promise<void> {
    const generation = this.#generation;
    const signal = this.#abort.signal;
    let outcome: ProbeOutcome | undefined;
    try {
      outcome = await this.#limiter.run(async () => {
        // The slot may come long after the tick: look at the instance as it is now.
        if (!this.#isCurrent(state, loop, generation)) return undefined;
        const instance = this.#tracker().get(state.instanceId);
        const app = this.#versions.get(versionKey(state.appId, state.version))?.app;
        if (!instance || !app || instance.condition !== 'Running' || instance.taskId !== state.taskId) return undefined;
        return this.#runProbe(loop.check, app, instance, signal);
      });
    } catch (err) {
      this.#logger.error({ err, instanceId: state.instanceId }, 'health probe crashed');
      return;
    }
    if (outcome === undefined || !this.#isCurrent(state, loop, generation)) return;
    this.#apply(state, loop, outcome);
  }

  #runProbe(check: HealthCheck, app: AppDefinition, instance: Instance, signal: AbortSignal): Promise<ProbeOutcome> {
    let target: { host: string; port: number };
    try {
      target = healthCheckEndpoint(check, app, instance);
    } catch (err) {
      return Promise.resolve({ kind: 'unhealthy', cause: err instanceof Error ? err.message : String(err) });
    }
    const timeoutMs = check.timeoutSeconds * 1000;
    if (check.protocol === 'TCP') return probeTcp(target.host, target.port, { timeoutMs, signal });
    const dispatcher = this.#dispatcher;
    if (!dispatcher) return Promise.resolve({ kind: 'unhealthy', cause: 'health checks stopped' });
    return probeHttp(
      dispatcher,
      { scheme: check.protocol === 'HTTPS' ? 'https' : 'http', host: target.host, port: target.port, path: check.path ?? '/' },
      { timeoutMs, ignoreHttp1xx: check.ignoreHttp1xx === true, signal },
    );
  }

  // ------------------------------------------------------------------------------- results

  #apply(state: InstanceHealthState, loop: CheckLoop, outcome: ProbeOutcome): void {
    const instance = this.#tracker().get(state.instanceId);
    const app = this.#versions.get(versionKey(state.appId, state.version))?.app;
    if (!instance || !app) return;
    const now = this.#clock();
    const { check, index } = loop;
    const previous = state.records.get(index) ?? NO_HEALTH_YET;
    let next = previous;
    if (outcome.kind === 'healthy') {
      next = afterSuccess(previous, now);
    } else if (outcome.kind === 'unhealthy' && !this.#ignoresFailure(instance, previous, check, now)) {
      this.#opts.events.publish(failedHealthCheckEvent(state.appId, state.instanceId, check, now));
      this.#killIfExhausted(state, instance, previous, check);
      next = afterFailure(previous, now, outcome.cause);
    }
    state.records.set(index, next);
    if (isAlive(previous) !== isAlive(next)) {
      this.#opts.events.publish(healthStatusChangedEvent(state.appId, state.instanceId, state.version, isAlive(next), now));
    }
    this.#updateVerdict(state, instance, app);
  }

  /** Not Running, or no success yet and still within the grace period since it became Running. */
  #ignoresFailure(instance: Instance, record: HealthRecord, check: HealthCheck, now: number): boolean {
    if (instance.condition !== 'Running') return true;
    return record.firstSuccess === null && instance.since + check.gracePeriodSeconds * 1000 > now;
  }

  /** `previous` holds the failures counted before this one (Marathon's check-then-update order). */
  #killIfExhausted(state: InstanceHealthState, instance: Instance, previous: HealthRecord, check: HealthCheck): void {
    const max = check.maxConsecutiveFailures;
    if (max <= 0 || previous.consecutiveFailures < max || state.killRequested) return;
    const log = { appId: instance.appId, instanceId: instance.instanceId, taskId: instance.taskId, agentId: instance.agentId };
    if (instance.condition === 'Unreachable' || instance.unreachableSince !== undefined) {
      this.#logger.info(log, 'unhealthy instance is unreachable: not killing it');
      return;
    }
    state.killRequested = true;
    const reason = previous.lastFailureCause ?? 'unknown';
    this.#logger.warn({ ...log, consecutiveFailures: previous.consecutiveFailures + 1, reason }, 'killing unhealthy instance');
    this.#opts.events.publish(unhealthyInstanceKillEvent(instance, instance.taskId ?? '', reason, previous.lastFailure ?? this.#clock()));
    void Promise.resolve()
      .then(() => this.#opts.killInstance(instance.instanceId, `failed health checks: ${reason}`))
      .catch((err: unknown) => this.#logger.error({ ...log, err }, 'could not kill unhealthy instance'));
  }

  #updateVerdict(state: InstanceHealthState, instance: Instance, app: AppDefinition): void {
    const verdict = combinedHealth(app.healthChecks, instance, (index) => state.records.get(index));
    if (verdict === state.verdict) return;
    state.verdict = verdict;
    this.#opts.events.publish(instanceHealthChangedEvent(instance, verdict ?? undefined, this.#clock()));
    for (const listener of [...this.#listeners]) {
      try {
        listener(state.instanceId, verdict ?? undefined);
      } catch (err) {
        this.#logger.error({ err, instanceId: state.instanceId }, 'health listener failed');
      }
    }
  }
}
