import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TaskState } from '../../mesos/types.js';
import { toMarathonMetrics, type MarathonMetrics } from './marathon-json.js';

/**
 * Pacer's metrics, kept in a registry of their own (never prom-client's global one, so tests and
 * several servers in one process do not collide). Callers see small interfaces, not prom-client:
 *
 *   metrics.offersReceived.inc(offers.length)
 *   metrics.offersDeclined.inc(); metrics.offersUsed.inc()
 *   const ops = metrics.timeMatcher(() => match(offers, requests))
 *   metrics.placements.inc(ops.length); metrics.launches.inc(tasks.length)
 *   metrics.recordTaskState(status.state)
 *   metrics.deploymentsStarted.inc(); metrics.deploymentsRunning.set(n)
 *   metrics.deploymentsSucceeded.inc() / metrics.deploymentsFailed.inc()
 *   metrics.streamReconnects.inc()
 *
 * The HTTP and event-stream series are fed by metricsPlugin and the event stream hub.
 */

/** Something that only goes up. */
export interface Count {
  inc(by?: number): void;
}

/** Something that goes up and down. */
export interface Level {
  set(value: number): void;
  inc(by?: number): void;
  dec(by?: number): void;
}

/** Durations in seconds. `startTimer()` returns a function that records and returns the elapsed seconds. */
export interface Timing {
  observe(seconds: number): void;
  startTimer(): () => number;
}

export interface PacerMetricsOptions {
  /** Node process metrics (CPU, memory, event loop lag, GC) as `pacer_process_*`/`pacer_nodejs_*`. Default true. */
  defaultMetrics?: boolean;
  /** First part of every metric name (Marathon's `--metrics_name_prefix`). Default `pacer`. */
  namePrefix?: string;
}

/** Prometheus metric names: a letter, `_` or `:` first, then also digits. */
const METRIC_NAME_PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Holds the name prefix before PacerMetrics' fields are initialised: field initialisers run
 * right after the base constructor, so they can name their series with it.
 */
abstract class PrefixedMetrics {
  readonly namePrefix: string;

  constructor(namePrefix: string) {
    if (!METRIC_NAME_PREFIX.test(namePrefix)) {
      throw new RangeError(`metric name prefix '${namePrefix}' is not a valid Prometheus name (letters, digits, _ and :, not starting with a digit)`);
    }
    this.namePrefix = namePrefix;
  }

  /** `<prefix>_<name>`. */
  protected named(name: string): string {
    return `${this.namePrefix}_${name}`;
  }
}

const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const MATCHER_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/** Route label for requests that matched no route, so unknown paths cannot grow the label set. */
export const UNMATCHED_ROUTE = 'unmatched';

export class PacerMetrics extends PrefixedMetrics {
  readonly registry = new Registry();
  readonly #startedAt = Date.now();

  // Mesos offers and matching
  readonly offersReceived: Count = this.#counter(this.named('offers_received_total'), 'Offers received from Mesos.');
  readonly offersDeclined: Count = this.#counter(this.named('offers_declined_total'), 'Offers declined.');
  readonly offersUsed: Count = this.#counter(this.named('offers_used_total'), 'Offers accepted with at least one operation.');
  readonly matcherDuration: Timing = new Histogram({
    name: this.named('matcher_duration_seconds'),
    help: 'Time spent matching one batch of offers against the launch queue.',
    buckets: MATCHER_BUCKETS,
    registers: [this.registry],
  });
  readonly placements: Count = this.#counter(this.named('placements_total'), 'Instances placed on an offer by the matcher.');
  readonly launches: Count = this.#counter(this.named('task_launches_total'), 'Tasks sent to Mesos in LAUNCH operations.');
  readonly launchPauses: Count = this.#counter(
    this.named('launch_pauses_total'),
    'Times launching paused because status update acknowledgements were 3 s behind.',
  );
  readonly launchesPaused: Level = this.#gauge(this.named('launches_paused'), '1 while launching waits for status update acknowledgements to catch up.');

  // Tasks
  readonly #taskStates = new Counter({
    name: this.named('task_state_transitions_total'),
    help: 'Task status updates received, by Mesos task state.',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  // Deployments
  readonly deploymentsStarted: Count = this.#counter(this.named('deployments_started_total'), 'Deployments started.');
  readonly deploymentsSucceeded: Count = this.#counter(this.named('deployments_succeeded_total'), 'Deployments finished.');
  readonly deploymentsFailed: Count = this.#counter(this.named('deployments_failed_total'), 'Deployments that failed or were cancelled.');
  readonly deploymentsRunning: Level = this.#gauge(this.named('deployments_running'), 'Deployments in progress.');

  // Mesos subscription
  readonly streamReconnects: Count = this.#counter(
    this.named('mesos_stream_reconnects_total'),
    'Times the scheduler stream to the Mesos master was re-established.',
  );

  // HTTP API (fed by metricsPlugin)
  readonly #httpDuration = new Histogram({
    name: this.named('http_request_duration_seconds'),
    help: 'REST API latency by route pattern, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });

  // Event stream (fed by the /v2/events hub)
  readonly eventStreamClients: Level = this.#gauge(this.named('event_stream_clients'), 'Clients attached to /v2/events.');
  readonly eventStreamBytes: Count = this.#counter(this.named('event_stream_bytes_total'), 'Bytes written to /v2/events clients, framing included.');
  readonly eventStreamSlowDisconnects: Count = this.#counter(
    this.named('event_stream_slow_disconnects_total'),
    'Event stream clients dropped for falling behind.',
  );

  constructor(options: PacerMetricsOptions = {}) {
    super(options.namePrefix ?? 'pacer');
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: this.named('') });
  }

  recordTaskState(state: TaskState): void {
    this.#taskStates.inc({ state });
  }

  /** Runs the matcher (synchronous by design) and records how long it took. */
  timeMatcher<T>(match: () => T): T {
    const stop = this.matcherDuration.startTimer();
    try {
      return match();
    } finally {
      stop();
    }
  }

  /** `route` must be the route pattern (`/v2/apps/*`), never the raw URL. */
  observeHttpRequest(route: string, method: string, status: number, seconds: number): void {
    this.#httpDuration.observe({ route, method, status: String(status) }, seconds);
  }

  get prometheusContentType(): string {
    return this.registry.contentType;
  }

  prometheusText(): Promise<string> {
    return this.registry.metrics();
  }

  async marathonJson(): Promise<MarathonMetrics> {
    const uptimeSeconds = (Date.now() - this.#startedAt) / 1000;
    return toMarathonMetrics(await this.registry.getMetricsAsJSON(), uptimeSeconds);
  }

  #counter(name: string, help: string): Counter {
    return new Counter({ name, help, registers: [this.registry] });
  }

  #gauge(name: string, help: string): Gauge {
    return new Gauge({ name, help, registers: [this.registry] });
  }
}
