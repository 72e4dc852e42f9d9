import type { ServerResponse } from 'node:http';

/**
 * One subscriber of `/v2/events`. Frames go straight to the response while the socket keeps up.
 * A write that reports backpressure starts waiting for 'drain'; if the drain has not come by the
 * next turn of the event loop, the socket is not keeping up and later frames wait in a queue of at
 * most `maxOutstanding` entries (Marathon's `--event_stream_max_outstanding_messages`). One more
 * and the hub drops the client. Waiting one turn matters: Node corks the response for the rest
 * of the tick, so a burst published synchronously always looks backpressured, even to a client
 * that reads as fast as the loopback allows. A consumer that stops reading costs at most one
 * such burst plus the queue, and frames are shared between clients, never copied per client.
 */

export type DeliveryResult = 'written' | 'queued' | 'overflow' | 'closed';

export interface SseClientStats {
  id: number;
  remoteAddress: string;
  /** Subscribed event types; empty means all. */
  eventTypes: string[];
  /** Frames waiting for the socket to drain right now. */
  queued: number;
  /** The most frames that ever waited at once; never above the limit. */
  peakQueued: number;
  /** True while frames are being queued: the socket has not drained for more than a turn of the loop. */
  backpressured: boolean;
  /** Bytes accepted by the response but not yet handed to the kernel. */
  bufferedBytes: number;
  /** Event frames handed to the socket (keep-alives not counted). */
  framesWritten: number;
  /** Bytes handed to the socket, keep-alives included. */
  bytesWritten: number;
}

export interface SseClientOptions {
  id: number;
  remoteAddress: string;
  eventTypes: readonly string[];
  maxOutstanding: number;
  onBytesWritten?: (bytes: number) => void;
}

export class SseClient {
  readonly id: number;
  readonly remoteAddress: string;
  readonly #response: ServerResponse;
  readonly #eventTypes: ReadonlySet<string>;
  readonly #maxOutstanding: number;
  readonly #onBytesWritten: (bytes: number) => void;
  readonly #queue: Buffer[] = [];
  #backpressured = false;
  #drainPending = false;
  #closed = false;
  #peakQueued = 0;
  #framesWritten = 0;
  #bytesWritten = 0;

  constructor(response: ServerResponse, options: SseClientOptions) {
    this.#response = response;
    this.id = options.id;
    this.remoteAddress = options.remoteAddress;
    this.#eventTypes = new Set(options.eventTypes);
    this.#maxOutstanding = options.maxOutstanding;
    this.#onBytesWritten = options.onBytesWritten ?? (() => {});
  }

  get closed(): boolean {
    return this.#closed;
  }

  wants(eventType: string): boolean {
    return this.#eventTypes.size === 0 || this.#eventTypes.has(eventType);
  }

  /** Writes or queues one frame; `overflow` means the client is too slow and must be dropped. */
  deliver(frame: Buffer): DeliveryResult {
    if (this.#closed) return 'closed';
    if (!this.#backpressured && this.#queue.length === 0) {
      this.#write(frame, true);
      return 'written';
    }
    if (this.#queue.length >= this.#maxOutstanding) return 'overflow';
    this.#queue.push(frame);
    if (this.#queue.length > this.#peakQueued) this.#peakQueued = this.#queue.length;
    return 'queued';
  }

  /** Keep-alives are only worth sending to a draining socket; a blocked one already has bytes in flight. */
  keepAlive(bytes: Buffer): void {
    if (!this.#closed && !this.#backpressured) this.#write(bytes, false);
  }

  /**
   * `end` finishes the stream politely; `reset` drops the connection and its unsent bytes at once.
   * A client with bytes still unsent gets a reset either way: if it has stopped reading, ending
   * would keep the connection (and `server.close()`) waiting on it forever.
   */
  close(how: 'end' | 'reset'): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    if (how === 'end' && !this.#backpressured && !this.#drainPending && this.#response.writableLength === 0) {
      this.#response.end();
      return;
    }
    const socket = this.#response.socket;
    if (socket !== null) socket.resetAndDestroy();
    else this.#response.destroy();
  }

  /** Called when the connection went away on its own. */
  markClosed(): void {
    this.#closed = true;
    this.#queue.length = 0;
  }

  stats(): SseClientStats {
    return {
      id: this.id,
      remoteAddress: this.remoteAddress,
      eventTypes: [...this.#eventTypes],
      queued: this.#queue.length,
      peakQueued: this.#peakQueued,
      backpressured: this.#backpressured,
      bufferedBytes: this.#response.writableLength,
      framesWritten: this.#framesWritten,
      bytesWritten: this.#bytesWritten,
    };
  }

  #write(chunk: Buffer, isFrame: boolean): void {
    const drained = this.#response.write(chunk);
    if (isFrame) this.#framesWritten += 1;
    this.#bytesWritten += chunk.length;
    this.#onBytesWritten(chunk.length);
    if (!drained && !this.#drainPending) {
      this.#drainPending = true;
      this.#response.once('drain', this.#onDrain);
      setImmediate(this.#checkDrain);
    }
  }

  readonly #checkDrain = (): void => {
    if (this.#drainPending && !this.#closed) this.#backpressured = true;
  };

  readonly #onDrain = (): void => {
    this.#drainPending = false;
    this.#backpressured = false;
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- #write() sets #drainPending and may close
    while (!this.#closed && !this.#drainPending) {
      const next = this.#queue.shift();
      if (next === undefined) return;
      this.#write(next, true);
    }
    // Still not drained after emptying part of the queue: keep queueing until the next drain.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- #write() sets it
    if (this.#drainPending && this.#queue.length > 0) this.#backpressured = true;
  };
}
