/**
 * A scriptable stand-in for a Mesos master's scheduler endpoint, for driver tests: a real
 * node:http(s) server on 127.0.0.1 that records every request and lets each test decide how
 * SUBSCRIBE and other calls are answered (streams, redirects, errors, stalls, garbage).
 * It is not the embedded master (src/local); it only knows the wire.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { codecFor, parseMediaType, type MediaType } from '../../src/mesos/codec.js';
import type { DriverEvent, SchedulerDriver } from '../../src/mesos/driver.js';
import { encodeRecord } from '../../src/mesos/recordio.js';
import type { Call, Event } from '../../src/mesos/types.js';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The decoded Call, when the body parses with the codec named by Content-Type. */
  call: Call | undefined;
}

export type Script = (req: ReceivedRequest, reply: Reply) => void | Promise<void>;

/** Writes RecordIO-framed events on an open SUBSCRIBE response. */
export class EventStreamWriter {
  readonly mediaType: MediaType;
  readonly streamId: string;
  /** Resolves when the connection is gone, whoever closed it. */
  readonly closed: Promise<void>;
  readonly #res: http.ServerResponse;

  constructor(res: http.ServerResponse, mediaType: MediaType, streamId: string) {
    this.#res = res;
    this.mediaType = mediaType;
    this.streamId = streamId;
    this.closed = new Promise((resolve) => res.once('close', () => resolve()));
  }

  /** The framed bytes of `event` in this stream's encoding. */
  frame(event: Event): Uint8Array {
    return encodeRecord(codecFor(this.mediaType).encodeEvent(event));
  }

  send(...events: Event[]): Promise<void> {
    return this.write(Buffer.concat(events.map((e) => this.frame(e))));
  }

  /** Writes raw bytes as one HTTP chunk; resolves once handed to the socket. */
  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#res.destroyed || this.#res.writableEnded) {
        reject(new Error('stream already closed'));
        return;
      }
      this.#res.write(bytes, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Ends the response cleanly (chunked terminator). */
  end(): void {
    this.#res.end();
  }

  /** Drops the connection without ending the response. */
  destroy(): void {
    this.#res.socket?.destroy();
    this.#res.destroy();
  }
}

export class Reply {
  readonly #req: ReceivedRequest;
  readonly #res: http.ServerResponse;
  readonly #onStream: (writer: EventStreamWriter) => void;

  constructor(req: ReceivedRequest, res: http.ServerResponse, onStream: (writer: EventStreamWriter) => void) {
    this.#req = req;
    this.#res = res;
    this.#onStream = onStream;
  }

  status(code: number, body = '', headers: Record<string, string> = {}): void {
    this.#res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    this.#res.end(body);
  }

  redirect(location: string): void {
    this.status(307, '', { location });
  }

  /** Answers 200 with a stream in the encoding the request asked for (or `mediaType`). */
  stream(opts: { streamId?: string; mediaType?: MediaType; contentType?: string } = {}): EventStreamWriter {
    const mediaType = opts.mediaType ?? parseMediaType(headerOf(this.#req.headers, 'accept')) ?? 'application/json';
    const streamId = opts.streamId ?? randomUUID();
    this.#res.writeHead(200, {
      'content-type': opts.contentType ?? mediaType,
      'mesos-stream-id': streamId,
      'transfer-encoding': 'chunked',
    });
    this.#res.flushHeaders();
    const writer = new EventStreamWriter(this.#res, mediaType, streamId);
    this.#onStream(writer);
    return writer;
  }

  /** Drops the connection without any response, as a crashing master would. */
  drop(): void {
    this.#res.socket?.destroy();
  }

  /** Never answers (until the server closes). */
  hang(): void {
    // Intentionally empty: the request stays open.
  }
}

function headerOf(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export interface FakeMasterOptions {
  tls?: { key: string; cert: string };
}

export class FakeMaster {
  readonly requests: ReceivedRequest[] = [];
  readonly streams: EventStreamWriter[] = [];
  readonly #server: http.Server;
  readonly #sockets = new Set<Socket>();
  readonly #subscribeScripts: Script[] = [];
  #callScript: Script = (_req, reply) => reply.status(202);
  #waiters: Array<{ match: (r: ReceivedRequest) => boolean; resolve: (r: ReceivedRequest) => void; from: number }> = [];
  base = '';

  private constructor(server: http.Server) {
    this.#server = server;
  }

  static async start(opts: FakeMasterOptions = {}): Promise<FakeMaster> {
    const server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }) : http.createServer();
    const master = new FakeMaster(server);
    server.on('connection', (socket: Socket) => {
      socket.setNoDelay(true);
      master.#sockets.add(socket);
      socket.once('close', () => master.#sockets.delete(socket));
    });
    server.on('secureConnection', (socket: Socket) => socket.setNoDelay(true));
    server.on('request', (req, res) => master.#handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    master.base = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    return master;
  }

  get hostPort(): string {
    return new URL(this.base).host;
  }

  /** Scripts for the next SUBSCRIBE requests, one each, in order. Without one, SUBSCRIBE gets 503. */
  onSubscribe(...scripts: Script[]): this {
    this.#subscribeScripts.push(...scripts);
    return this;
  }

  /** How every non-SUBSCRIBE call is answered (default 202). */
  onCall(script: Script): this {
    this.#callScript = script;
    return this;
  }

  subscribes(): ReceivedRequest[] {
    return this.requests.filter((r) => r.call?.type === 'SUBSCRIBE');
  }

  calls(): ReceivedRequest[] {
    return this.requests.filter((r) => r.call !== undefined && r.call.type !== 'SUBSCRIBE');
  }

  /** The first request (counting from the `from`-th) matching `match`, waiting at most `timeoutMs`. */
  waitForRequest(match: (r: ReceivedRequest) => boolean, opts: { from?: number; timeoutMs?: number } = {}): Promise<ReceivedRequest> {
    const from = opts.from ?? 0;
    const found = this.requests.slice(from).find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        from,
        resolve: (r: ReceivedRequest) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching request within ${opts.timeoutMs ?? 5000} ms (got ${this.requests.length})`));
      }, opts.timeoutMs ?? 5000);
      this.#waiters.push(waiter);
    });
  }

  waitForSubscribe(n: number): Promise<ReceivedRequest> {
    let seen = 0;
    return this.waitForRequest((r) => r.call?.type === 'SUBSCRIBE' && ++seen === n);
  }

  async close(): Promise<void> {
    for (const s of this.streams) s.destroy();
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      const mediaType = parseMediaType(headerOf(req.headers, 'content-type'));
      let call: Call | undefined;
      try {
        call = mediaType ? codecFor(mediaType).decodeCall(body) : undefined;
      } catch {
        call = undefined;
      }
      const received: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, call };
      this.requests.push(received);
      const reply = new Reply(received, res, (w) => this.streams.push(w));
      const script =
        call?.type === 'SUBSCRIBE'
          ? (this.#subscribeScripts.shift() ?? ((_r: ReceivedRequest, rep: Reply) => rep.status(503, 'No leader elected')))
          : this.#callScript;
      Promise.resolve(script(received, reply)).catch((err: unknown) => {
        if (!res.headersSent) reply.status(500, String(err));
      });
      const index = this.requests.length - 1;
      for (const w of [...this.#waiters]) {
        if (index >= w.from && w.match(received)) {
          this.#waiters = this.#waiters.filter((x) => x !== w);
          w.resolve(received);
        }
      }
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Event builders and a consumer for driver tests
// ---------------------------------------------------------------------------------------------

export function subscribedEvent(frameworkId: string, heartbeatIntervalSeconds = 15): Event {
  return {
    type: 'SUBSCRIBED',
    subscribed: { framework_id: { value: frameworkId }, heartbeat_interval_seconds: heartbeatIntervalSeconds },
  };
}

export const HEARTBEAT: Event = { type: 'HEARTBEAT' };

/** Drains a driver's events in the background and lets a test wait for the next one of a kind. */
export class EventTap {
  readonly seen: DriverEvent[] = [];
  #cursor = 0;
  #wake: (() => void) | undefined;
  #done = false;

  constructor(driver: SchedulerDriver) {
    void (async () => {
      for await (const e of driver.events()) {
        this.seen.push(e);
        this.#wake?.();
      }
      this.#done = true;
      this.#wake?.();
    })();
  }

  /** The next event (after the previous `take`) satisfying `match`; skipped ones stay in `seen`. */
  async take<K extends DriverEvent['kind']>(
    kind: K,
    match: (e: Extract<DriverEvent, { kind: K }>) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<Extract<DriverEvent, { kind: K }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.#cursor < this.seen.length) {
        const e = this.seen[this.#cursor++]!;
        if (e.kind === kind && match(e as Extract<DriverEvent, { kind: K }>)) return e as Extract<DriverEvent, { kind: K }>;
      }
      if (this.#done) throw new Error(`event stream ended without a '${kind}' event`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no '${kind}' event within ${timeoutMs} ms; saw ${this.seen.map((e) => e.kind).join(',')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          this.#wake = undefined;
          resolve();
        };
      });
    }
  }

  /** Mesos events surfaced so far (kind 'event'). */
  mesosEvents(): Event[] {
    return this.seen.flatMap((e) => (e.kind === 'event' ? [e.event] : []));
  }
}
