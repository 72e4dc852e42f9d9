import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { Agent } from 'undici';
import { Backoff, DEFAULT_BACKOFF, sleep, type BackoffOptions } from './backoff.js';
import { CodecError, codecFor, parseMediaType, type MediaType, type WireCodec } from './codec.js';
import type { MasterDetector } from './detector.js';
import { MesosDriverError, MesosHttpError, isAmbiguousStatus, isRetryableStatus } from './errors.js';
import type { DriverEvent, DriverState, SchedulerDriverOptions } from './driver-types.js';
import { EventQueue } from './event-queue.js';
import { CallSender } from './http-caller.js';
import { basicAuthorization, masterBase, type RedirectPolicy, schedulerEndpoint, type TlsOptions } from './http-util.js';
import { OrderedCalls } from './lane.js';
import { DEFAULT_MAX_RECORD_BYTES, RecordIOError } from './recordio.js';
import { openEventStream, type EventStream } from './subscription.js';
import type {
  AgentID,
  Base64,
  Call,
  CallReconcileTask,
  EventSubscribed,
  ExecutorID,
  Filters,
  FrameworkInfo,
  KillPolicy,
  OfferConstraints,
  OfferID,
  OfferOperation,
  OperationID,
  Request,
  TaskID,
} from './types.js';
import { Watchdog } from './watchdog.js';

/** What Mesos reports in SUBSCRIBED when it is silent on the matter (src/master/constants.hpp). */
const DEFAULT_HEARTBEAT_INTERVAL_SECONDS = 15;

/** Offer calls: concurrent with each other, ordered against the barriers (see OrderedCalls). */
const OFFER_CALLS: ReadonlySet<Call['type']> = new Set<Call['type']>(['ACCEPT', 'DECLINE']);
/** Calls that change filters or suppression for the whole framework: ordered against everything in OFFER_CALLS and each other. */
const BARRIER_CALLS: ReadonlySet<Call['type']> = new Set<Call['type']>(['SUPPRESS', 'REVIVE', 'UPDATE_FRAMEWORK']);

export type { DriverEvent, DriverState, SchedulerDriverOptions, SubscribedInfo } from './driver-types.js';

/** One subscription the master confirmed with SUBSCRIBED; calls are tied to it. */
interface ActiveSubscription {
  frameworkId: string;
  streamId: string;
  endpoint: URL;
  /** Aborted when this subscription ends, failing its in-flight and queued calls. */
  calls: AbortController;
  /** Headers of every call on this subscription, built once: calls come in bursts of thousands. */
  callHeaders: Readonly<Record<string, string>>;
}

type ConsumeOutcome = { reachedSubscribed: boolean };

/**
 * Client side of the Mesos v1 scheduler HTTP API: keeps one subscription alive
 * (detection, redirects, backoff, heartbeat watchdog), hands its events to one
 * consumer, and sends calls on a separate keep-alive pool.
 */
export class SchedulerDriver {
  readonly #detector: MasterDetector;
  readonly #trustedMasters = new Set<string>();
  readonly #redirectPolicy: RedirectPolicy;
  readonly #persistFrameworkId: (frameworkId: string) => Promise<void>;
  readonly #logger: Logger;
  readonly #mediaType: MediaType;
  readonly #codec: WireCodec;
  readonly #baseHeaders: Record<string, string>;
  readonly #tls: TlsOptions | undefined;
  readonly #backoff: BackoffOptions;
  readonly #heartbeatThreshold: number;
  readonly #maxRedirects: number;
  readonly #requestTimeoutMs: number;
  readonly #maxRecordBytes: number;
  readonly #queue: EventQueue<DriverEvent>;
  readonly #ordered: OrderedCalls;
  readonly #callAgent: Agent;
  readonly #sender: CallSender;
  /** Aborted by close() or a fatal error: ends the loop and any subscribe in progress. */
  readonly #lifetime = new AbortController();

  #frameworkInfo: FrameworkInfo;
  #suppressedRoles: Set<string>;
  readonly #offerConstraints: OfferConstraints | undefined;
  #state: DriverState = 'idle';
  #loop: Promise<void> | undefined;
  #current: EventStream | undefined;
  #active: ActiveSubscription | undefined;
  /** Master to try first next time: a redirect target or a newly detected leader. */
  #preferred: string | undefined;
  /** Aborted to cut a backoff pause short (leader change). */
  #pauseWake: AbortController | undefined;
  /** SUBSCRIBE in progress, abandoned if the leader turns out to be elsewhere. */
  #attempt: { controller: AbortController; origin: string } | undefined;
  /** A leader change arrived while connecting: skip the next pause. */
  #retryNow = false;
  #stopError: Error | undefined;
  #unsubscribeDetector: (() => void) | undefined;
  readonly #stopped: Promise<Error | undefined>;
  #resolveStopped!: (error: Error | undefined) => void;

  constructor(opts: SchedulerDriverOptions) {
    this.#detector = opts.detector;
    this.#persistFrameworkId = opts.persistFrameworkId;
    this.#logger = opts.logger;
    this.#mediaType = opts.mediaType ?? 'application/x-protobuf';
    this.#codec = codecFor(this.#mediaType);
    this.#tls = opts.tls;
    this.#backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.#heartbeatThreshold = opts.heartbeatFailureThreshold ?? 5;
    this.#maxRedirects = opts.maxRedirects ?? 9;
    this.#requestTimeoutMs = opts.requestTimeoutMs ?? 75_000;
    this.#maxRecordBytes = opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    this.#queue = new EventQueue(opts.eventQueueHighWaterMark ?? 1024);
    this.#offerConstraints = opts.offerConstraints;
    this.#suppressedRoles = new Set(opts.suppressedRoles ?? []);
    this.#ordered = new OrderedCalls(opts.maxConcurrentOfferCalls !== undefined ? { maxConcurrent: opts.maxConcurrentOfferCalls } : {});

    this.#frameworkInfo = structuredClone(opts.frameworkInfo);
    if (opts.credentials && this.#frameworkInfo.principal === undefined) {
      // The master insists the two agree; say it explicitly rather than rely on it filling in.
      this.#frameworkInfo.principal = opts.credentials.principal;
    }

    this.#baseHeaders = { 'content-type': this.#mediaType, accept: this.#mediaType };
    if (opts.credentials) this.#baseHeaders['authorization'] = basicAuthorization(opts.credentials);

    this.#callAgent = new Agent({
      connect: this.#tls ? { ...this.#tls } : undefined,
      headersTimeout: this.#requestTimeoutMs,
      bodyTimeout: this.#requestTimeoutMs,
    });
    const redirectPolicy: RedirectPolicy = {
      carriesCredentials: opts.credentials !== undefined,
      trusted: (hostPort) => this.#trustedMasters.has(hostPort),
    };
    this.#redirectPolicy = redirectPolicy;
    this.#sender = new CallSender({
      redirectPolicy,
      dispatcher: this.#callAgent,
      logger: this.#logger,
      backoff: this.#backoff,
      maxRedirects: this.#maxRedirects,
      maxAttempts: opts.maxCallAttempts ?? 10,
      requestTimeoutMs: this.#requestTimeoutMs,
      onRedirect: (target) => {
        this.#preferred = masterBase(target);
      },
    });
    this.#stopped = new Promise((resolve) => {
      this.#resolveStopped = resolve;
    });
  }

  get state(): DriverState {
    return this.#state;
  }

  /** The framework id once known (given in frameworkInfo or assigned by SUBSCRIBED). */
  get frameworkId(): string | undefined {
    return this.#frameworkInfo.id?.value;
  }

  /** Scheduler endpoint of the master of the current subscription. */
  get master(): string | undefined {
    return this.#active?.endpoint.href;
  }

  get streamId(): string | undefined {
    return this.#active?.streamId;
  }

  /** Resolves when the driver has stopped, with the error that stopped it (undefined for close()/teardown()). */
  whenStopped(): Promise<Error | undefined> {
    return this.#stopped;
  }

  /** Starts subscribing. Idempotent. */
  start(): void {
    if (this.#loop || this.#state === 'stopped') return;
    this.#state = 'connecting';
    this.#unsubscribeDetector = this.#detector.onChange(() => {
      this.#checkLeader().catch((err: unknown) => {
        this.#logger.warn({ err }, 'leader check after detector change failed');
      });
    });
    this.#loop = this.#run()
      .catch((err: unknown) => {
        // #run handles its own failures; reaching here is a bug, surfaced rather than crashing.
        this.#logger.error({ err }, 'scheduler driver loop failed');
        this.#stop(err instanceof Error ? err : new Error(String(err)));
      })
      .finally(() => this.#callAgent.close().catch(() => undefined));
  }

  /** The single consumer's view: lifecycle signals and Mesos events, in order, ending after `stopped`. */
  events(): AsyncIterable<DriverEvent> {
    return this.#queue;
  }

  /** Stops everything: the subscription, pending calls, sockets and timers. Does not tear the framework down. */
  async close(): Promise<void> {
    this.#stop(undefined);
    await this.#loop;
  }

  // ---------------------------------------------------------------------------------------
  // Calls
  // ---------------------------------------------------------------------------------------

  /**
   * Sends any call except SUBSCRIBE on the current subscription; `framework_id` is filled in.
   * Resolves when the master accepted it (202/200). Rejects with MesosHttpError for statuses
   * it will not retry, PACER_MESOS_NOT_SUBSCRIBED when there is no subscription (or it ends
   * first), PACER_MESOS_DRIVER_CLOSED after close.
   */
  async call(call: Call): Promise<void> {
    if (call.type === 'SUBSCRIBE') {
      throw new MesosDriverError('PACER_MESOS_BAD_RESPONSE', 'SUBSCRIBE is managed by the driver');
    }
    if (this.#state === 'stopped') {
      throw new MesosDriverError('PACER_MESOS_DRIVER_CLOSED', `${call.type}: the driver is stopped`);
    }
    const active = this.#active;
    if (!active) throw notSubscribed(call.type);
    const body = this.#codec.encodeCall({ ...call, framework_id: { value: active.frameworkId } });
    const send = async (): Promise<void> => {
      if (this.#active !== active || active.calls.signal.aborted) throw notSubscribed(call.type);
      await this.#sender.send({
        endpoint: active.endpoint,
        type: call.type,
        body,
        headers: active.callHeaders,
        signal: active.calls.signal,
      });
    };
    if (OFFER_CALLS.has(call.type)) await this.#ordered.concurrent(send);
    else if (BARRIER_CALLS.has(call.type)) await this.#ordered.barrier(send);
    else await send();
  }

  accept(offerIds: readonly OfferID[], operations: readonly OfferOperation[], filters?: Filters): Promise<void> {
    return this.call({
      type: 'ACCEPT',
      accept: { offer_ids: [...offerIds], operations: [...operations], ...(filters ? { filters } : {}) },
    });
  }

  decline(offerIds: readonly OfferID[], filters?: Filters): Promise<void> {
    return this.call({ type: 'DECLINE', decline: { offer_ids: [...offerIds], ...(filters ? { filters } : {}) } });
  }

  /** Stops offers for `roles` (all roles when empty); remembered so a resubscribe stays suppressed. */
  async suppress(roles: readonly string[] = []): Promise<void> {
    await this.call({ type: 'SUPPRESS', suppress: { roles: [...roles] } });
    for (const role of roles.length > 0 ? roles : this.#frameworkRoles()) this.#suppressedRoles.add(role);
  }

  /** Resumes offers for `roles` (all when empty) and clears their decline filters. */
  async revive(roles: readonly string[] = []): Promise<void> {
    await this.call({ type: 'REVIVE', revive: { roles: [...roles] } });
    if (roles.length === 0) this.#suppressedRoles.clear();
    else for (const role of roles) this.#suppressedRoles.delete(role);
  }

  kill(taskId: TaskID, agentId?: AgentID, killPolicy?: KillPolicy): Promise<void> {
    return this.call({
      type: 'KILL',
      kill: { task_id: taskId, ...(agentId ? { agent_id: agentId } : {}), ...(killPolicy ? { kill_policy: killPolicy } : {}) },
    });
  }

  /** Acknowledges a status update; `uuid` is `status.uuid` exactly as received. Only for updates that carry one. */
  acknowledge(agentId: AgentID, taskId: TaskID, uuid: Base64): Promise<void> {
    return this.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: agentId, task_id: taskId, uuid } });
  }

  acknowledgeOperationStatus(operationId: OperationID, uuid: Base64, agentId?: AgentID): Promise<void> {
    return this.call({
      type: 'ACKNOWLEDGE_OPERATION_STATUS',
      acknowledge_operation_status: { operation_id: operationId, uuid, ...(agentId ? { agent_id: agentId } : {}) },
    });
  }

  /** Explicit reconciliation for `tasks`; an empty list asks for every task the master knows (implicit). */
  reconcile(tasks: readonly CallReconcileTask[] = []): Promise<void> {
    return this.call({ type: 'RECONCILE', reconcile: { tasks: [...tasks] } });
  }

  /** Kills every task and removes the framework from Mesos (irreversible), then stops the driver. */
  async teardown(): Promise<void> {
    await this.call({ type: 'TEARDOWN' });
    this.#stop(undefined);
    await this.#loop;
  }

  /**
   * Replaces the FrameworkInfo (roles, capabilities, webui_url, failover_timeout, ...); the id is
   * kept. Later resubscriptions use the new one.
   */
  async updateFramework(frameworkInfo: FrameworkInfo, opts: { suppressedRoles?: readonly string[]; offerConstraints?: OfferConstraints } = {}): Promise<void> {
    const info: FrameworkInfo = structuredClone(frameworkInfo);
    const id = this.#frameworkInfo.id;
    if (id) info.id = id;
    if (info.principal === undefined && this.#frameworkInfo.principal !== undefined) {
      info.principal = this.#frameworkInfo.principal;
    }
    const suppressed = opts.suppressedRoles ?? [...this.#suppressedRoles];
    await this.call({
      type: 'UPDATE_FRAMEWORK',
      update_framework: {
        framework_info: info,
        suppressed_roles: [...suppressed],
        ...(opts.offerConstraints ? { offer_constraints: opts.offerConstraints } : {}),
      },
    });
    this.#frameworkInfo = info;
    this.#suppressedRoles = new Set(suppressed);
  }

  /** Shuts a custom executor down. */
  shutdown(executorId: ExecutorID, agentId: AgentID): Promise<void> {
    return this.call({ type: 'SHUTDOWN', shutdown: { executor_id: executorId, agent_id: agentId } });
  }

  /** Best-effort message to an executor; `data` is base64. */
  message(agentId: AgentID, executorId: ExecutorID, data: Base64): Promise<void> {
    return this.call({ type: 'MESSAGE', message: { agent_id: agentId, executor_id: executorId, data } });
  }

  /** Resource request (ignored by Mesos's built-in allocator). */
  request(requests: readonly Request[]): Promise<void> {
    return this.call({ type: 'REQUEST', request: { requests: [...requests] } });
  }

  // ---------------------------------------------------------------------------------------
  // Subscription loop
  // ---------------------------------------------------------------------------------------

  async #run(): Promise<void> {
    const backoff = new Backoff(this.#backoff);
    while (!this.#lifetime.signal.aborted) {
      this.#state = 'connecting';
      const stream = await this.#connect();
      if (stream) {
        const outcome = await this.#consume(stream);
        if (outcome.reachedSubscribed) backoff.reset();
      }
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() may abort while #consume awaits
      if (this.#lifetime.signal.aborted) break;
      const delayMs = backoff.next();
      this.#logger.info({ frameworkId: this.frameworkId, delayMs }, 'resubscribing after backoff');
      await this.#pause(delayMs);
    }
  }

  /** Tries each candidate master once; returns an open stream, or undefined to back off (or after a fatal stop). */
  async #connect(): Promise<EventStream | undefined> {
    const candidates = await this.#candidates();
    if (candidates.length === 0) {
      this.#logger.warn({ frameworkId: this.frameworkId }, 'no Mesos master known; waiting for detection');
      return undefined;
    }
    let body: Uint8Array;
    try {
      body = this.#codec.encodeCall(this.#subscribeCall());
    } catch (err) {
      // Only a FrameworkInfo the codec rejects gets here; no master would take it either.
      this.#logger.error({ err: describe(err) }, 'cannot encode SUBSCRIBE');
      this.#stop(err instanceof Error ? err : new Error(String(err)));
      return undefined;
    }
    for (const base of candidates) {
      if (this.#lifetime.signal.aborted) return undefined;
      let endpoint: URL;
      try {
        endpoint = schedulerEndpoint(base);
      } catch (err) {
        this.#logger.warn({ master: base, err }, 'detector returned an unusable master address');
        continue;
      }
      const attempt = { controller: new AbortController(), origin: endpoint.origin };
      this.#attempt = attempt;
      try {
        const stream = await openEventStream({
          endpoint,
          body,
          headers: this.#baseHeaders,
          tls: this.#tls,
          maxRedirects: this.#maxRedirects,
          requestTimeoutMs: this.#requestTimeoutMs,
          maxRecordBytes: this.#maxRecordBytes,
          signal: AbortSignal.any([this.#lifetime.signal, attempt.controller.signal]),
          logger: this.#logger,
          redirectPolicy: this.#redirectPolicy,
          onRedirect: (target) => {
            attempt.origin = target.origin;
          },
        });
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- either may abort while subscribing
        if (this.#lifetime.signal.aborted || attempt.controller.signal.aborted) {
          stream.close(closedError());
          return undefined;
        }
        return stream;
      } catch (err) {
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() may abort while subscribing
        if (this.#lifetime.signal.aborted) return undefined;

        if (attempt.controller.signal.aborted) {
          // The leader moved while we were connecting; start over with the new one.
          this.#logger.info({ master: endpoint.href }, 'abandoned SUBSCRIBE: leading master changed');
          return undefined;
        }
        if (err instanceof MesosHttpError && !isRetryableStatus(err.status) && !isAmbiguousStatus(err.status)) {
          // 400 (bad FrameworkInfo), 401 (credentials), 403, ...: retrying cannot fix it.
          this.#logger.error({ frameworkId: this.frameworkId, master: err.url, status: err.status, body: err.body }, 'SUBSCRIBE refused');
          this.#stop(err);
          return undefined;
        }
        this.#logger.warn({ frameworkId: this.frameworkId, master: endpoint.href, err: describe(err) }, 'SUBSCRIBE failed');
      } finally {
        if (this.#attempt === attempt) this.#attempt = undefined;
      }
    }
    return undefined;
  }

  /** Masters from --master or ZooKeeper: the only hosts a redirect may carry credentials to. */
  #trust(masters: readonly string[]): void {
    for (const base of masters) {
      try {
        this.#trustedMasters.add(schedulerEndpoint(base).host.toLowerCase());
      } catch {
        // unusable addresses are reported where they are tried
      }
    }
  }

  async #candidates(): Promise<string[]> {
    let detected: string[] = [];
    try {
      detected = await this.#detector.candidates();
    } catch (err) {
      this.#logger.warn({ err }, 'master detection failed');
    }
    this.#trust(detected);
    const preferred = this.#preferred;
    this.#preferred = undefined;
    const seen = new Set<string>();
    const ordered: string[] = [];
    for (const base of preferred ? [preferred, ...detected] : detected) {
      const key = originOf(base);
      if (seen.has(key)) continue;
      seen.add(key);
      ordered.push(base);
    }
    return ordered;
  }

  #subscribeCall(): Call {
    const id = this.#frameworkInfo.id;
    const call: Call = {
      type: 'SUBSCRIBE',
      subscribe: {
        framework_info: this.#frameworkInfo,
        ...(this.#suppressedRoles.size > 0 ? { suppressed_roles: [...this.#suppressedRoles] } : {}),
        ...(this.#offerConstraints ? { offer_constraints: this.#offerConstraints } : {}),
      },
    };
    if (id) call.framework_id = id;
    return call;
  }

  /** Reads one stream until it fails or the driver stops. Never throws. */
  async #consume(stream: EventStream): Promise<ConsumeOutcome> {
    this.#current = stream;
    const streamType = parseMediaType(stream.contentType);
    if (streamType === undefined) {
      this.#logger.warn(
        { contentType: stream.contentType, master: stream.endpoint.href },
        'event stream without a known Content-Type; assuming the requested one',
      );
    }
    const codec = codecFor(streamType ?? this.#mediaType);
    const resubscribed = this.#frameworkInfo.id !== undefined;
    let active: ActiveSubscription | undefined;
    let timeoutMs = this.#requestTimeoutMs;
    const watchdog = new Watchdog(() => {
      stream.close(new MesosDriverError('PACER_MESOS_HEARTBEAT_TIMEOUT', `no event from ${stream.endpoint.href} for ${timeoutMs} ms`));
    });

    let failure: Error;
    try {
      for (;;) {
        watchdog.arm(timeoutMs);
        const result = await stream.next();
        watchdog.disarm();
        if (result.done) {
          throw new MesosDriverError('PACER_MESOS_STREAM_ENDED', `${stream.endpoint.href} closed the event stream`);
        }
        const event = codec.decodeEvent(result.value);
        if (event.type === 'ERROR') {
          const message = event.error?.message ?? '(no message)';
          this.#logger.error({ frameworkId: this.frameworkId, master: stream.endpoint.href, message }, 'master sent ERROR; subscription ended');
          this.#queue.push({ kind: 'event', event });
          this.#stop(new MesosDriverError('PACER_MESOS_ERROR_EVENT', `master sent ERROR: ${message}`));
          return { reachedSubscribed: active !== undefined };
        }
        if (!active) {
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a master's first event is checked, not trusted
          if (event.type !== 'SUBSCRIBED' || !event.subscribed?.framework_id?.value) {
            throw new MesosDriverError('PACER_MESOS_BAD_RESPONSE', `first event of the stream was ${event.type}, not SUBSCRIBED`);
          }
          active = await this.#onSubscribed(stream, event.subscribed, resubscribed);
          if (!active) return { reachedSubscribed: false };
          timeoutMs = Math.ceil(heartbeatIntervalSeconds(event.subscribed) * this.#heartbeatThreshold * 1000);
          continue;
        }
        this.#queue.push({ kind: 'event', event });
        await this.#queue.waitForRoom();
      }
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
    } finally {
      watchdog.stop();
      this.#current = undefined;
      if (active) {
        active.calls.abort(notSubscribed());
        if (this.#active === active) this.#active = undefined;
      }
      stream.close(closedError());
    }

    if (this.#lifetime.signal.aborted) return { reachedSubscribed: active !== undefined };
    const fields = { frameworkId: this.frameworkId, master: stream.endpoint.href, streamId: stream.streamId, err: describe(failure) };
    if (failure instanceof RecordIOError || failure instanceof CodecError) {
      this.#logger.error(fields, 'malformed event stream; reconnecting');
    } else {
      this.#logger.warn(fields, 'event stream lost; reconnecting');
    }
    if (active) {
      this.#state = 'connecting';
      this.#queue.push({ kind: 'disconnected', master: stream.endpoint.href, error: failure });
    }
    return { reachedSubscribed: active !== undefined };
  }

  /** Persists the framework id, then makes the subscription usable for calls and tells the consumer. */
  async #onSubscribed(stream: EventStream, subscribed: EventSubscribed, resubscribed: boolean): Promise<ActiveSubscription | undefined> {
    const frameworkId = subscribed.framework_id.value;
    const previous = this.#frameworkInfo.id?.value;
    if (previous !== undefined && previous !== frameworkId) {
      this.#logger.error({ frameworkId, previous }, 'master assigned a different framework id than the one we subscribed with');
    }
    // Keep it before persisting, so a reconnect after a failed persist reuses the same id.
    this.#frameworkInfo.id = { value: frameworkId };
    try {
      await this.#persistFrameworkId(frameworkId);
    } catch (err) {
      throw new MesosDriverError('PACER_MESOS_PERSIST_FAILED', `cannot persist framework id ${frameworkId}: ${describe(err)}`, { cause: err });
    }
    if (this.#lifetime.signal.aborted || stream.closed) return undefined;

    const calls = new AbortController();
    // Every in-flight call listens on this one signal; hundreds at once are expected, not a leak.
    setMaxListeners(0, calls.signal);
    const active: ActiveSubscription = {
      frameworkId,
      streamId: stream.streamId,
      endpoint: stream.endpoint,
      calls,
      callHeaders: { ...this.#baseHeaders, 'mesos-stream-id': stream.streamId },
    };
    this.#active = active;
    this.#state = 'subscribed';
    const interval = heartbeatIntervalSeconds(subscribed);
    this.#logger.info(
      { frameworkId, master: stream.endpoint.href, streamId: stream.streamId, heartbeatIntervalSeconds: interval, resubscribed },
      'subscribed to Mesos',
    );
    this.#queue.push({
      kind: 'subscribed',
      frameworkId,
      master: stream.endpoint.href,
      streamId: stream.streamId,
      heartbeatIntervalSeconds: interval,
      masterInfo: subscribed.master_info,
      resubscribed,
    });
    return active;
  }

  /** After a detector change: if the leader is no longer the master we stream from, move. */
  async #checkLeader(): Promise<void> {
    if (this.#lifetime.signal.aborted) return;
    const candidates = await this.#detector.candidates();
    this.#trust(candidates);
    const leader = candidates[0];
    if (leader === undefined) return;
    const attempt = this.#attempt;
    if (attempt && originOf(leader) !== attempt.origin) {
      this.#preferred = leader;
      this.#retryNow = true;
      attempt.controller.abort(new MesosDriverError('PACER_MESOS_LEADER_CHANGED', `leading master is now ${leader}`));
    }
    this.#pauseWake?.abort();
    const current = this.#current;
    if (current && originOf(leader) !== current.endpoint.origin) {
      this.#logger.info({ from: current.endpoint.href, to: leader }, 'leading master changed; resubscribing');
      this.#preferred = leader;
      current.close(new MesosDriverError('PACER_MESOS_LEADER_CHANGED', `leading master is now ${leader}`));
    }
  }

  async #pause(ms: number): Promise<void> {
    if (this.#retryNow) {
      this.#retryNow = false;
      return;
    }
    const wake = new AbortController();
    this.#pauseWake = wake;
    const onStop = (): void => wake.abort();
    this.#lifetime.signal.addEventListener('abort', onStop, { once: true });
    try {
      await sleep(ms, wake.signal);
    } finally {
      this.#lifetime.signal.removeEventListener('abort', onStop);
      if (this.#pauseWake === wake) this.#pauseWake = undefined;
    }
  }

  #stop(error: Error | undefined): void {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    this.#stopError = error;
    this.#lifetime.abort(closedError());
    this.#unsubscribeDetector?.();
    this.#unsubscribeDetector = undefined;
    const active = this.#active;
    this.#active = undefined;
    active?.calls.abort(closedError());
    this.#current?.close(closedError());
    this.#queue.push({ kind: 'stopped', error });
    this.#queue.end();
    this.#resolveStopped(error);
    // A started driver closes its pool when the loop ends, after in-flight calls are aborted.
    if (!this.#loop) void this.#callAgent.close().catch(() => undefined);
  }

  #frameworkRoles(): string[] {
    const { roles, role } = this.#frameworkInfo;
    if (roles && roles.length > 0) return roles;
    return [role ?? '*'];
  }

  /** The error the driver stopped with, if it stopped on its own. */
  get stopError(): Error | undefined {
    return this.#stopError;
  }
}

/** The master's heartbeat interval; a missing or nonsensical value falls back to Mesos's 15 s. */
function heartbeatIntervalSeconds(subscribed: EventSubscribed): number {
  const value = subscribed.heartbeat_interval_seconds;
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : DEFAULT_HEARTBEAT_INTERVAL_SECONDS;
}

function notSubscribed(callType?: Call['type']): MesosDriverError {
  return new MesosDriverError('PACER_MESOS_NOT_SUBSCRIBED', callType ? `${callType}: not subscribed to a Mesos master` : 'the subscription ended');
}

function closedError(): MesosDriverError {
  return new MesosDriverError('PACER_MESOS_DRIVER_CLOSED', 'the scheduler driver is stopped');
}

function originOf(base: string): string {
  try {
    return new URL(base).origin;
  } catch {
    return base;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
