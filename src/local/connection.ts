/**
 * The server side of one SUBSCRIBE stream: a chunked HTTP response that carries RecordIO
 * records, each one Event in the negotiated encoding.
 *
 * Events sent before the response is opened (the master answers SUBSCRIBE with SUBSCRIBED while
 * the call is still being handled) are held and written right after the headers, so a refused
 * SUBSCRIBE can still be answered with a plain error status.
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { WireCodec } from '../mesos/codec.js';
import { encodeRecord } from '../mesos/recordio.js';
import type { Event } from '../mesos/types.js';
import type { FrameworkConnection } from './master/connection.js';

/**
 * A subscriber that lets this much output pile up unread is treated as gone. Upstream's master
 * never drops a slow subscriber, and a busy scheduler at 100,000 tasks lags by well over 64 MiB of
 * status updates for a while; dropping it then made it re-subscribe, reconcile everything and
 * lag further. This bound only keeps a stuck subscriber from taking all of the master's memory.
 */
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024 * 1024;

/** A backlog this large is logged (then each time it doubles): the master holds it in memory. */
const FIRST_BACKLOG_LOG_BYTES = 16 * 1024 * 1024;

export interface HttpFrameworkConnectionOptions {
  readonly streamId: string;
  readonly codec: WireCodec;
  readonly response: ServerResponse;
  readonly logger: Logger;
  /** Called once when the subscriber goes away on its own (disconnect, unread backlog). */
  readonly onLost: (connection: HttpFrameworkConnection) => void;
  readonly maxBufferedBytes?: number;
  /** Sends a HEARTBEAT event this often once the stream is open; 0 or absent sends none. */
  readonly heartbeatIntervalMs?: number;
}

export class HttpFrameworkConnection implements FrameworkConnection {
  readonly streamId: string;
  readonly #codec: WireCodec;
  readonly #response: ServerResponse;
  readonly #logger: Logger;
  readonly #onLost: (connection: HttpFrameworkConnection) => void;
  readonly #maxBufferedBytes: number;
  readonly #heartbeatIntervalMs: number;
  #heartbeat: NodeJS.Timeout | undefined;
  #backlogLogAt = FIRST_BACKLOG_LOG_BYTES;
  #held: { record: Uint8Array; onWritten: (() => void) | undefined }[] | undefined = [];
  #closed = false;

  constructor(opts: HttpFrameworkConnectionOptions) {
    this.streamId = opts.streamId;
    this.#codec = opts.codec;
    this.#response = opts.response;
    this.#logger = opts.logger;
    this.#onLost = opts.onLost;
    this.#maxBufferedBytes = opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.#heartbeatIntervalMs = opts.heartbeatIntervalMs ?? 0;
    this.#response.on('close', () => {
      if (!this.#closed) this.#lost('subscriber disconnected');
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Writes the 200 headers and every event held so far; later events go out as they come. */
  open(): void {
    if (this.#held === undefined) return;
    const held = this.#held;
    this.#held = undefined;
    if (this.#response.destroyed) return;
    this.#response.writeHead(200, {
      'Content-Type': this.#codec.mediaType,
      'Mesos-Stream-Id': this.streamId,
    });
    // Send the headers now: a subscriber waits for them before it reads any event.
    this.#response.flushHeaders();
    for (const { record, onWritten } of held) this.#write(record, onWritten);
    if (this.#closed) {
      this.#response.end();
      return;
    }
    if (this.#heartbeatIntervalMs > 0) {
      this.#heartbeat = setInterval(() => this.send({ type: 'HEARTBEAT' }), this.#heartbeatIntervalMs);
      this.#heartbeat.unref();
    }
  }

  send(event: Event, onWritten?: () => void): void {
    if (this.#closed) return;
    let record: Uint8Array;
    try {
      record = encodeRecord(this.#codec.encodeEvent(event));
    } catch (err) {
      // The master built an event the wire cannot carry: a bug, but not the subscriber's fault.
      this.#logger.error({ err, streamId: this.streamId, eventType: event.type }, 'cannot encode event; dropped');
      return;
    }
    if (this.#held !== undefined) this.#held.push({ record, onWritten });
    else this.#write(record, onWritten);
    // Upstream starts a subscription's heartbeater right after SUBSCRIBED, and its first beat
    // goes out at once: HEARTBEAT is always the second event (SchedulerHttpApiTest.Subscribe).
    if (event.type === 'SUBSCRIBED' && this.#heartbeatIntervalMs > 0) this.send({ type: 'HEARTBEAT' });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopHeartbeat();
    // Still held: open() ends the response after flushing, or the caller answers with an error.
    if (this.#held === undefined) this.#response.end();
  }

  #write(record: Uint8Array, onWritten: (() => void) | undefined): void {
    if (this.#response.destroyed || this.#response.writableEnded) return;
    if (onWritten === undefined) this.#response.write(record);
    else this.#response.write(record, (err) => (err === undefined || err === null ? onWritten() : undefined));
    const buffered = this.#response.writableLength;
    if (buffered >= this.#backlogLogAt) {
      this.#logger.info({ streamId: this.streamId, bufferedBytes: buffered }, 'subscriber is behind: events wait unread in the master');
      this.#backlogLogAt *= 2;
    } else if (buffered < FIRST_BACKLOG_LOG_BYTES / 16) this.#backlogLogAt = FIRST_BACKLOG_LOG_BYTES;
    if (buffered > this.#maxBufferedBytes) {
      this.#lost(`subscriber left more than ${this.#maxBufferedBytes} bytes unread`);
      this.#response.destroy();
    }
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  #lost(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopHeartbeat();
    this.#logger.info({ streamId: this.streamId, reason }, 'subscription stream closed');
    this.#onLost(this);
  }
}
