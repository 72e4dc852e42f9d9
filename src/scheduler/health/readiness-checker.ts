/**
 * Readiness checks (Marathon's ReadinessBehavior + ReadinessCheckExecutor) behind the
 * deployment manager's ReadinessView.
 *
 * They run only while a deployment asks: the first `isReady` call for an app with readiness
 * checks opens a watch on that app version, which polls every Running instance of that version
 * (the new instances; older ones are not checked and count as ready) — the first GET at once,
 * then every `intervalSeconds` until the check answers one of `httpStatusCodesForReady`, after
 * which that task is never polled again. A watch ends when the app's current version is no
 * longer the watched one (the deployment was superseded or reverted) or on `close()`; an
 * instance's polling ends when it is ready, leaves Running for good, or its task is replaced.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { ReadinessCheck } from '../../model/apps/types.js';
import {
  TERMINAL_CONDITIONS,
  type AppDefinition,
  type AppLookup,
  type Instance,
  type InstanceChange,
  type InstanceTracker,
  type ReadinessCheckResult,
} from '../contracts.js';
import type { ReadinessView } from '../deployments/readiness.js';
import { readinessEndpoint } from './endpoints.js';
import { ConcurrencyLimiter } from '../concurrency-limiter.js';
import { createProbeDispatcher, DEFAULT_MAX_CONCURRENT_PROBES, fetchForReadiness, probeUrl, type HttpResponseSummary } from './probes.js';

export interface ReadinessCheckerOptions {
  /** The core's tracker; a getter when the tracker is built after this object. */
  instances: InstanceTracker | (() => InstanceTracker);
  /** The current app definitions (a watch ends when its version is no longer current). */
  apps: Pick<AppLookup, 'app'>;
  logger: Logger;
  /** Shared with the health checks to cap sockets globally; else one of `maxConcurrentProbes` (64). */
  limiter?: ConcurrencyLimiter;
  maxConcurrentProbes?: number;
  dispatcher?: Dispatcher;
}

/** Readiness of one task. */
interface TaskReadiness {
  instanceId: string;
  taskId: string;
  /** By index into the app's `readinessChecks`. */
  results: Map<number, ReadinessCheckResult>;
  ready: boolean;
  timer: NodeJS.Timeout | undefined;
}

interface Watch {
  app: AppDefinition;
  tasks: Map<string, TaskReadiness>;
}

export class ReadinessChecker implements ReadinessView {
  readonly #opts: ReadinessCheckerOptions;
  readonly #logger: Logger;
  readonly #limiter: ConcurrencyLimiter;
  readonly #ownsDispatcher: boolean;
  #dispatcher: Dispatcher | undefined;
  readonly #watches = new Map<string, Watch>();
  readonly #listeners = new Set<(instanceId: string) => void>();
  #unsubscribe: (() => void) | undefined;
  #abort = new AbortController();
  #closed = false;

  constructor(opts: ReadinessCheckerOptions) {
    this.#opts = opts;
    this.#logger = opts.logger.child({ component: 'readiness-checks' });
    this.#limiter = opts.limiter ?? new ConcurrencyLimiter(opts.maxConcurrentProbes ?? DEFAULT_MAX_CONCURRENT_PROBES);
    this.#ownsDispatcher = opts.dispatcher === undefined;
    this.#dispatcher = opts.dispatcher;
    // Every query in flight listens on it; the limiter bounds how many.
    setMaxListeners(0, this.#abort.signal);
  }

  isReady(instance: Instance, app: AppDefinition): boolean {
    if (app.readinessChecks.length === 0) return true;
    if (this.#closed) return false;
    const watch = this.#watch(app);
    if (instance.appId !== app.id || instance.runSpecVersion !== app.version) return true;
    const task = watch.tasks.get(instance.instanceId);
    if (task && task.taskId === instance.taskId) return task.ready;
    this.#follow(watch, instance);
    return false;
  }

  resultsOf(appId: string): readonly ReadinessCheckResult[] {
    const watch = this.#watches.get(appId);
    if (!watch) return [];
    return [...watch.tasks.values()].flatMap((task) => [...task.results.entries()].sort(([a], [b]) => a - b).map(([, r]) => ({ ...r })));
  }

  onChange(listener: (instanceId: string) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Stops all polling and forgets all results. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    for (const appId of [...this.#watches.keys()]) this.#endWatch(appId);
    if (this.#ownsDispatcher) await this.#dispatcher?.destroy();
    this.#dispatcher = undefined;
  }

  #tracker(): InstanceTracker {
    const source = this.#opts.instances;
    return typeof source === 'function' ? source() : source;
  }

  #watch(app: AppDefinition): Watch {
    const existing = this.#watches.get(app.id);
    if (existing && existing.app.version === app.version) return existing;
    if (existing) this.#endWatch(app.id);
    const tracker = this.#tracker();
    this.#unsubscribe ??= tracker.onChange((change) => this.#onInstanceChange(change));
    if (this.#ownsDispatcher) this.#dispatcher ??= createProbeDispatcher();
    const watch: Watch = { app, tasks: new Map() };
    this.#watches.set(app.id, watch);
    this.#logger.info({ appId: app.id, version: app.version }, 'readiness checks started');
    for (const instance of tracker.ofApp(app.id)) this.#follow(watch, instance);
    return watch;
  }

  #endWatch(appId: string): void {
    const watch = this.#watches.get(appId);
    if (!watch) return;
    for (const task of watch.tasks.values()) clearTimeout(task.timer);
    this.#watches.delete(appId);
    this.#logger.info({ appId, version: watch.app.version }, 'readiness checks ended');
  }

  #onInstanceChange(change: InstanceChange): void {
    const watch = this.#watches.get(change.instance.appId);
    if (!watch) return;
    if (this.#opts.apps.app(watch.app.id)?.version !== watch.app.version) {
      this.#endWatch(watch.app.id);
      return;
    }
    const { instance } = change;
    const task = watch.tasks.get(instance.instanceId);
    if (change.expunged || TERMINAL_CONDITIONS.has(instance.condition) || (task && task.taskId !== instance.taskId)) {
      if (task) {
        clearTimeout(task.timer);
        watch.tasks.delete(instance.instanceId);
      }
    }
    if (!change.expunged) this.#follow(watch, instance);
  }

  /** Starts polling a Running new instance's task unless it already is polled. */
  #follow(watch: Watch, instance: Instance): void {
    if (instance.runSpecVersion !== watch.app.version || instance.condition !== 'Running' || instance.taskId === undefined) return;
    const known = watch.tasks.get(instance.instanceId);
    if (known && known.taskId === instance.taskId) return;
    if (known) clearTimeout(known.timer);
    const task: TaskReadiness = { instanceId: instance.instanceId, taskId: instance.taskId, results: new Map(), ready: false, timer: undefined };
    watch.tasks.set(instance.instanceId, task);
    void this.#poll(watch, task);
  }

  #isCurrent(watch: Watch, task: TaskReadiness): boolean {
    return !this.#closed && this.#watches.get(watch.app.id) === watch && watch.tasks.get(task.instanceId) === task;
  }

  async #poll(watch: Watch, task: TaskReadiness): Promise<void> {
    const checks = watch.app.readinessChecks;
    for (let index = 0; index < checks.length; index++) {
      if (task.results.get(index)?.ready) continue;
      const check = checks[index]!;
      const response = await this.#limiter.run(() => this.#query(watch, task, check));
      if (response === undefined || !this.#isCurrent(watch, task)) return;
      const ready = check.httpStatusCodesForReady.includes(response.status);
      task.results.set(index, {
        name: check.name,
        taskId: task.taskId,
        ready,
        ...(check.preserveLastResponse ? { lastResponse: response } : {}),
      });
      this.#logger.debug(
        { appId: watch.app.id, instanceId: task.instanceId, taskId: task.taskId, check: check.name, status: response.status, ready },
        'readiness check answered',
      );
    }
    const allReady = checks.every((_, index) => task.results.get(index)?.ready === true);
    if (allReady) {
      task.ready = true;
      this.#logger.info({ appId: watch.app.id, instanceId: task.instanceId, taskId: task.taskId }, 'instance is ready');
      this.#emit(task.instanceId);
      return;
    }
    const intervalMs = Math.min(...checks.map((c) => c.intervalSeconds)) * 1000;
    task.timer = setTimeout(() => void this.#poll(watch, task), intervalMs);
    task.timer.unref();
  }

  async #query(watch: Watch, task: TaskReadiness, check: ReadinessCheck): Promise<HttpResponseSummary | undefined> {
    if (!this.#isCurrent(watch, task)) return undefined;
    const instance = this.#tracker().get(task.instanceId);
    if (!instance || instance.taskId !== task.taskId) return undefined;
    const dispatcher = this.#dispatcher;
    if (!dispatcher) return undefined;
    let url: string;
    try {
      const { host, port } = readinessEndpoint(check, watch.app, instance);
      url = probeUrl({ scheme: check.protocol === 'HTTPS' ? 'https' : 'http', host, port, path: check.path });
    } catch (err) {
      const cause = err instanceof Error ? err.message : String(err);
      return { status: 504, contentType: 'text/plain', body: `Pacer could not query readiness check '${check.name}': ${cause}` };
    }
    return fetchForReadiness(dispatcher, url, { timeoutMs: check.timeoutSeconds * 1000, signal: this.#abort.signal });
  }

  #emit(instanceId: string): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(instanceId);
      } catch (err) {
        this.#logger.error({ err, instanceId }, 'readiness listener failed');
      }
    }
  }
}
