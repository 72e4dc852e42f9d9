import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { timestamp, type EventBus, type MarathonEvent } from '../../scheduler/contracts.js';
import type { PacerMetrics } from '../metrics/registry.js';
import { SseClient, type SseClientStats } from './sse-client.js';
import { SseFrameError, encodeEventFrame, keepAliveBytes, type SseLineEnding } from './sse-writer.js';

/** Marathon's `--event_stream_max_outstanding_messages` default. */
export const DEFAULT_MAX_OUTSTANDING_MESSAGES = 1024;
/** Jetty's EventSourceServlet heartBeatPeriod default, which Marathon keeps. */
export const DEFAULT_HEARTBEAT_MS = 10_000;

export interface EventStreamHubOptions {
  bus: EventBus;
  logger: Logger;
  maxOutstandingMessages?: number;
  /** Interval of the blank-line keep-alive; 0 turns it off. */
  heartbeatMs?: number;
  lineEnding?: SseLineEnding;
  metrics?: PacerMetrics;
  /** Epoch ms, for the attach/detach timestamps. */
  now?: () => number;
}

export interface EventStreamStats {
  clients: SseClientStats[];
  /** Clients dropped since start because their backlog passed the limit. */
  slowDisconnects: number;
  maxOutstandingMessages: number;
}

export type DetachReason = 'client-closed' | 'slow-consumer' | 'standby' | 'shutdown';

/**
 * Fans bus events out to `/v2/events` clients. Each event is serialised once, only if some client
 * wants its type. Every client sees events in the order the hub received them: events published
 * while a delivery is under way (an attach, a detach) wait until it is done.
 */
export class EventStreamHub {
  readonly #bus: EventBus;
  readonly #logger: Logger;
  readonly #maxOutstanding: number;
  readonly #lineEnding: SseLineEnding;
  readonly #metrics: PacerMetrics | undefined;
  readonly #now: () => number;
  readonly #clients = new Map<number, SseClient>();
  readonly #pending: MarathonEvent[] = [];
  readonly #unsubscribe: () => void;
  readonly #heartbeat: NodeJS.Timeout | undefined;
  #delivering = false;
  #nextId = 1;
  #slowDisconnects = 0;
  #closed = false;

  constructor(options: EventStreamHubOptions) {
    this.#bus = options.bus;
    this.#logger = options.logger;
    this.#maxOutstanding = options.maxOutstandingMessages ?? DEFAULT_MAX_OUTSTANDING_MESSAGES;
    if (!Number.isInteger(this.#maxOutstanding) || this.#maxOutstanding < 1) {
      throw new RangeError(`maxOutstandingMessages must be a positive integer, got ${this.#maxOutstanding}`);
    }
    this.#lineEnding = options.lineEnding ?? 'lf';
    this.#metrics = options.metrics;
    this.#now = options.now ?? Date.now;
    this.#unsubscribe = this.#bus.subscribe((event) => this.#receive(event));
    const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    if (heartbeatMs > 0) {
      const bytes = keepAliveBytes(this.#lineEnding);
      this.#heartbeat = setInterval(() => {
        for (const client of this.#clients.values()) client.keepAlive(bytes);
      }, heartbeatMs);
      this.#heartbeat.unref();
    }
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  /**
   * Registers a response whose SSE head is already written, then announces it on the bus, so the
   * new client receives its own `event_stream_attached` as Marathon's do.
   */
  attach(response: ServerResponse, remoteAddress: string, eventTypes: readonly string[]): SseClient {
    if (this.#closed) throw new EventStreamClosedError();
    const client = new SseClient(response, {
      id: this.#nextId++,
      remoteAddress,
      eventTypes,
      maxOutstanding: this.#maxOutstanding,
      onBytesWritten: (n) => this.#metrics?.eventStreamBytes.inc(n),
    });
    this.#clients.set(client.id, client);
    this.#metrics?.eventStreamClients.set(this.#clients.size);
    response.on('close', () => {
      client.markClosed();
      this.#detach(client, 'client-closed');
    });
    // A write racing a dying socket reports here; 'close' follows and cleans up.
    response.on('error', (err) => this.#logger.debug({ err, clientId: client.id }, 'event stream write failed'));
    this.#logger.info({ clientId: client.id, remoteAddress, eventTypes, clients: this.#clients.size }, 'event stream client attached');
    this.#bus.publish({ remoteAddress, eventType: 'event_stream_attached', timestamp: timestamp(this.#now()) });
    return client;
  }

  /** Ends every stream, e.g. when this instance stops leading (Marathon closes them on standby). */
  closeAll(reason: 'standby' | 'shutdown'): void {
    for (const client of [...this.#clients.values()]) {
      client.close('end');
      this.#detach(client, reason);
    }
  }

  /** Ends every stream, stops listening to the bus and stops the keep-alive timer. */
  close(): void {
    if (this.#closed) return;
    this.closeAll('shutdown');
    this.#closed = true;
    this.#unsubscribe();
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
  }

  stats(): EventStreamStats {
    return {
      clients: [...this.#clients.values()].map((c) => c.stats()),
      slowDisconnects: this.#slowDisconnects,
      maxOutstandingMessages: this.#maxOutstanding,
    };
  }

  #receive(event: MarathonEvent): void {
    this.#pending.push(event);
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      for (let next = this.#pending.shift(); next !== undefined; next = this.#pending.shift()) this.#deliver(next);
    } finally {
      this.#delivering = false;
    }
  }

  #deliver(event: MarathonEvent): void {
    let frame: Buffer | undefined;
    for (const client of [...this.#clients.values()]) {
      if (!client.wants(event.eventType)) continue;
      if (frame === undefined) {
        try {
          frame = encodeEventFrame(event, this.#lineEnding);
        } catch (err) {
          if (!(err instanceof SseFrameError)) throw err;
          this.#logger.error({ err, eventType: event.eventType }, 'event cannot be sent on the event stream');
          return;
        }
      }
      if (client.deliver(frame) === 'overflow') this.#dropSlow(client);
    }
  }

  #dropSlow(client: SseClient): void {
    this.#slowDisconnects += 1;
    this.#metrics?.eventStreamSlowDisconnects.inc();
    this.#logger.warn(
      { clientId: client.id, remoteAddress: client.remoteAddress, maxOutstandingMessages: this.#maxOutstanding },
      'closing event stream of a slow consumer',
    );
    client.close('reset');
    this.#detach(client, 'slow-consumer');
  }

  #detach(client: SseClient, reason: DetachReason): void {
    if (!this.#clients.delete(client.id)) return;
    this.#metrics?.eventStreamClients.set(this.#clients.size);
    this.#logger.info({ clientId: client.id, remoteAddress: client.remoteAddress, reason, clients: this.#clients.size }, 'event stream client detached');
    if (!this.#closed) {
      this.#bus.publish({
        remoteAddress: client.remoteAddress,
        eventType: 'event_stream_detached',
        timestamp: timestamp(this.#now()),
      });
    }
  }
}

export class EventStreamClosedError extends Error {
  readonly code = 'PACER_EVENT_STREAM_CLOSED';
  constructor() {
    super('the event stream hub is closed');
    this.name = 'EventStreamClosedError';
  }
}
